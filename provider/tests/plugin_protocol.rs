//! The built provider binary, started the way Terraform starts it: environment in, one
//! handshake line out, then gRPC over mutual TLS on a Unix socket. The client here plays
//! Terraform's part, with a self-signed ECDSA P-521 client certificate like Terraform's.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use hyper_util::rt::TokioIo;
use terraform_provider_wellarch::proto::go_plugin::Empty;
use terraform_provider_wellarch::proto::go_plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_wellarch::proto::go_plugin::grpc_stdio_client::GrpcStdioClient;
use terraform_provider_wellarch::proto::health::HealthCheckRequest;
use terraform_provider_wellarch::proto::health::health_check_response::ServingStatus;
use terraform_provider_wellarch::proto::health::health_client::HealthClient;
use terraform_provider_wellarch::proto::tfplugin6::get_provider_schema;
use terraform_provider_wellarch::proto::tfplugin6::provider_client::ProviderClient;
use tokio::io::AsyncReadExt;
use tokio::net::UnixStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tonic::transport::{Channel, Endpoint};

const BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-wellarch");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client identity like Terraform's: self-signed ECDSA P-521, CN/SAN localhost.
struct ClientIdentity {
    pem: String,
    der: CertificateDer<'static>,
    key: Vec<u8>,
}

fn client_identity() -> ClientIdentity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).expect("self-signed");
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: key.serialize_der(),
    }
}

/// The plugin process; killed (by its PID) if a test ends while it still runs.
struct Plugin {
    child: Child,
    line: String,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn command() -> Command {
    let mut cmd = Command::new(BINARY);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default())
        .env("TF_LOG", "DEBUG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Starts the plugin and reads its handshake line (at most 20 s).
fn start(cmd: &mut Command) -> Plugin {
    let mut child = cmd.spawn().expect("start the provider");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("a handshake line within 20 s");
    assert!(line.ends_with('\n'), "the handshake is one full line: {line:?}");
    Plugin {
        child,
        line: line.trim_end().to_string(),
    }
}

fn start_with_tls(client: &ClientIdentity) -> Plugin {
    start(
        command()
            .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_CLIENT_CERT", &client.pem),
    )
}

/// `1|6|unix|<path>|grpc|<cert>` → (socket path, server certificate).
fn parse_line(line: &str) -> (PathBuf, Option<CertificateDer<'static>>) {
    let parts: Vec<&str> = line.split('|').collect();
    assert!(parts.len() == 5 || parts.len() == 6, "{line}");
    assert_eq!(&parts[..3], ["1", "6", "unix"], "{line}");
    assert_eq!(parts[4], "grpc", "{line}");
    let cert = parts.get(5).map(|b64| {
        assert!(!b64.ends_with('='), "no padding: {b64}");
        CertificateDer::from(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(b64)
                .expect("standard base64"),
        )
    });
    (PathBuf::from(parts[3]), cert)
}

fn tls_client(
    server_cert: &CertificateDer<'static>,
    client: Option<&ClientIdentity>,
    tls12_only: bool,
) -> TlsConnector {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    roots
        .add(server_cert.clone())
        .expect("the server certificate is a usable root");
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("versions")
        .with_root_certificates(roots);
    let mut config = match client {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key.clone())),
            )
            .expect("client certificate"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    TlsConnector::from(Arc::new(config))
}

async fn channel(socket: PathBuf, tls: Option<TlsConnector>) -> Result<Channel, tonic::transport::Error> {
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(10))
        .connect_with_connector(tower::service_fn(move |_| {
            let socket = socket.clone();
            let tls = tls.clone();
            async move {
                let stream = UnixStream::connect(&socket).await?;
                let io: Box<dyn IoStream> = match tls {
                    Some(tls) => {
                        let name = ServerName::try_from("localhost").expect("name");
                        Box::new(tls.connect(name, stream).await?)
                    }
                    None => Box::new(stream),
                };
                Ok::<_, std::io::Error>(TokioIo::new(io))
            }
        }))
        .await
}

trait IoStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> IoStream for T {}

fn wait_exit(child: &mut Child, within: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr_of(plugin: &mut Plugin) -> String {
    let mut err = String::new();
    if let Some(mut s) = plugin.child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    err
}

#[test]
fn refuses_to_run_by_hand() {
    let out = command().output().expect("run the provider");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Terraform provider plugin"), "{stderr}");
    assert!(
        !stderr.trim_start().starts_with('{'),
        "a human message, not a log line: {stderr}"
    );

    let out = command()
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .env("TF_DISABLE_PLUGIN_TLS", "1")
        .output()
        .expect("run the provider");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol 6"));
}

#[tokio::test]
async fn serves_schema_and_health_to_terraforms_certificate() {
    let client = client_identity();
    let mut plugin = start_with_tls(&client);
    let (socket, server_cert) = parse_line(&plugin.line);
    let server_cert = server_cert.expect("the handshake carries the server certificate");
    let ch = channel(socket.clone(), Some(tls_client(&server_cert, Some(&client), false)))
        .await
        .expect("mutual TLS connection");

    let schema = ProviderClient::new(ch.clone())
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema")
        .into_inner();
    assert!(schema.diagnostics.is_empty());
    let provider = schema.provider.and_then(|s| s.block).expect("provider schema");
    assert!(provider.attributes.iter().any(|a| a.name == "region"));
    let mut served: Vec<String> = schema.resource_schemas.keys().cloned().collect();
    served.sort();
    let mut expected: Vec<String> = wellarch_blueprints::kinds()
        .iter()
        .map(|k| k.type_name.to_string())
        .collect();
    expected.sort();
    assert_eq!(served, expected, "one resource type per composite kind");
    let api = schema.resource_schemas["wellarch_burst_tolerant_api"]
        .block
        .as_ref()
        .expect("the burst-tolerant API schema");
    let name = api.attributes.iter().find(|a| a.name == "name").expect("name");
    assert!(name.required && name.r#type == br#""string""#);
    let queue_url = api
        .attributes
        .iter()
        .find(|a| a.name == "queue_url")
        .expect("queue_url");
    assert!(queue_url.computed && !queue_url.optional);
    assert!(api.block_types.iter().any(|b| b.type_name == "handler"));
    for (name, s) in &schema.resource_schemas {
        let block = s.block.as_ref().expect("block");
        for extra in ["id", "components", "drift"] {
            assert!(
                block.attributes.iter().any(|a| a.name == extra && a.computed),
                "{name}.{extra}"
            );
        }
    }

    let health = HealthClient::new(ch.clone())
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check")
        .into_inner();
    assert_eq!(health.status, ServingStatus::Serving as i32);

    let mut stdio = GrpcStdioClient::new(ch.clone())
        .stream_stdio(())
        .await
        .expect("stdio stream")
        .into_inner();
    assert!(
        stdio.message().await.expect("clean end").is_none(),
        "nothing is mirrored"
    );

    GrpcControllerClient::new(ch)
        .shutdown(Empty {})
        .await
        .expect("Shutdown");
    let status = wait_exit(&mut plugin.child, Duration::from_secs(2)).expect("exits within 2 s of Shutdown");
    assert!(status.success(), "{status:?}");
    assert!(!socket.exists(), "the socket is removed on exit");
    let stderr = stderr_of(&mut plugin);
    for line in stderr.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("a JSON log line: {line}"));
        assert!(v["@level"].is_string() && v["@message"].is_string() && v["@timestamp"].is_string());
    }
    assert!(stderr.contains("RPC GetProviderSchema"), "{stderr}");
}

#[tokio::test]
async fn rejects_any_other_client_certificate() {
    let terraform = client_identity();
    let intruder = client_identity();
    let plugin = start_with_tls(&terraform);
    let (socket, server_cert) = parse_line(&plugin.line);
    let server_cert = server_cert.expect("server certificate");

    // TLS 1.2: the server's verdict on the certificate ends the handshake itself.
    let stream = UnixStream::connect(&socket).await.expect("connect");
    let name = ServerName::try_from("localhost").expect("name");
    let result = tls_client(&server_cert, Some(&intruder), true)
        .connect(name.clone(), stream)
        .await;
    assert!(
        result.is_err(),
        "TLS 1.2 handshake with a foreign certificate must fail"
    );

    // TLS 1.3: the client finishes first, then reads the server's alert instead of data.
    let stream = UnixStream::connect(&socket).await.expect("connect");
    match tls_client(&server_cert, Some(&intruder), false)
        .connect(name.clone(), stream)
        .await
    {
        Err(_) => {}
        Ok(mut tls) => {
            let mut buf = [0u8; 16];
            let read = tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf))
                .await
                .expect("the server answers");
            assert!(matches!(read, Err(_) | Ok(0)), "the server must refuse: {read:?}");
        }
    }

    // Without any client certificate.
    let stream = UnixStream::connect(&socket).await.expect("connect");
    match tls_client(&server_cert, None, false).connect(name, stream).await {
        Err(_) => {}
        Ok(mut tls) => {
            let mut buf = [0u8; 16];
            let read = tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf))
                .await
                .expect("the server answers");
            assert!(matches!(read, Err(_) | Ok(0)), "the server must refuse: {read:?}");
        }
    }

    // And at the gRPC level nothing gets through.
    for client in [Some(&intruder), None] {
        let result = match channel(socket.clone(), Some(tls_client(&server_cert, client, false))).await {
            Err(_) => Err(()),
            Ok(ch) => HealthClient::new(ch)
                .check(HealthCheckRequest {
                    service: "plugin".into(),
                })
                .await
                .map(|_| ())
                .map_err(|_| ()),
        };
        assert!(result.is_err(), "a gRPC call without Terraform's certificate must fail");
    }

    // Terraform's own certificate still works afterwards.
    let ch = channel(socket, Some(tls_client(&server_cert, Some(&terraform), false)))
        .await
        .expect("connect");
    HealthClient::new(ch)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("Terraform is served");
}

#[tokio::test]
async fn plaintext_when_terraform_disables_tls() {
    let mut plugin = start(
        command()
            .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("TF_DISABLE_PLUGIN_TLS", "1"),
    );
    let (socket, cert) = parse_line(&plugin.line);
    assert!(cert.is_none(), "no certificate field without TLS: {}", plugin.line);
    let ch = channel(socket, None).await.expect("plaintext connection");
    let health = HealthClient::new(ch.clone())
        .check(HealthCheckRequest { service: String::new() })
        .await
        .expect("health")
        .into_inner();
    assert_eq!(health.status, ServingStatus::Serving as i32);
    let unknown = HealthClient::new(ch.clone())
        .check(HealthCheckRequest {
            service: "other".into(),
        })
        .await;
    assert_eq!(unknown.expect_err("unknown service").code(), tonic::Code::NotFound);
    GrpcControllerClient::new(ch)
        .shutdown(Empty {})
        .await
        .expect("Shutdown");
    assert!(wait_exit(&mut plugin.child, Duration::from_secs(2)).is_some_and(|s| s.success()));
}

#[test]
fn sigint_does_not_stop_the_plugin() {
    let client = client_identity();
    let mut plugin = start_with_tls(&client);
    let pid = plugin.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().expect("kill -INT");
    assert!(sent.success());
    assert!(
        wait_exit(&mut plugin.child, Duration::from_millis(700)).is_none(),
        "Ctrl-C is Terraform's to handle (StopProvider); the plugin keeps running"
    );
}
