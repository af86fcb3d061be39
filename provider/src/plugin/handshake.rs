//! The go-plugin handshake: Terraform's environment tells the plugin it is being run as a
//! plugin and with which protocol; the plugin listens on a fresh Unix socket and answers
//! with a single line on stdout: `1|6|unix|<path>|grpc|<server certificate>`.

use std::io::Write;
use std::path::PathBuf;

use base64::Engine;
use tokio::net::{TcpListener, UnixListener};
use tokio_rustls::rustls::pki_types::CertificateDer;

use super::conn::Conn;
use super::tls;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version (the first field of the handshake line).
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;

/// What Terraform's environment asks of this process.
#[derive(Debug)]
pub struct Settings {
    /// Terraform's client certificate (`PLUGIN_CLIENT_CERT`); `None` with
    /// `TF_DISABLE_PLUGIN_TLS`, which means plaintext gRPC.
    pub client_cert: Option<CertificateDer<'static>>,
    /// `PLUGIN_UNIX_SOCKET_DIR`: where to create the socket's directory.
    pub socket_dir: Option<PathBuf>,
}

/// Reads the environment Terraform sets; an error is a message for a human who ran the
/// binary by hand (or a Terraform too old for protocol 6).
pub fn settings(env: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
    if env(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(
            "terraform-provider-wellarch is a Terraform provider plugin: Terraform starts it, \
                    it is not meant to be run by hand.\n\
                    Declare it in your configuration's required_providers block \
                    (source = \"wellarch/wellarch\") and run `terraform init` and `terraform plan`."
                .into(),
        );
    }
    if let Some(versions) = env("PLUGIN_PROTOCOL_VERSIONS").filter(|v| !v.trim().is_empty())
        && !versions.split(',').any(|v| v.trim() == PROTOCOL_VERSION.to_string())
    {
        return Err(format!(
            "Terraform offered plugin protocol version(s) {versions}, but terraform-provider-wellarch \
             speaks only protocol {PROTOCOL_VERSION}: use Terraform 1.0 or later."
        ));
    }
    let tls_disabled = env("TF_DISABLE_PLUGIN_TLS").is_some_and(|v| !v.is_empty());
    let client_cert = if tls_disabled {
        None
    } else {
        let pem = env("PLUGIN_CLIENT_CERT")
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| {
                "PLUGIN_CLIENT_CERT is not set: Terraform passes its client certificate there for mutual TLS. \
             Set TF_DISABLE_PLUGIN_TLS=1 to run without TLS."
                    .to_string()
            })?;
        Some(tls::certificate_from_pem(&pem)?)
    };
    Ok(Settings {
        client_cert,
        socket_dir: env("PLUGIN_UNIX_SOCKET_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from),
    })
}

/// The handshake line (without the newline). The certificate field is present only with TLS.
pub fn line(network: &str, address: &str, server_cert: Option<&[u8]>) -> String {
    let mut line = format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{address}|grpc");
    if let Some(der) = server_cert {
        line.push('|');
        line.push_str(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(der));
    }
    line
}

/// Writes the handshake line: the one and only thing this process ever writes to stdout.
pub fn announce(line: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(line.as_bytes())?;
    stdout.write_all(b"\n")?;
    stdout.flush()
}

/// Where the plugin listens: a Unix socket in a fresh private directory (removed on
/// drop), or loopback TCP when no Unix socket can be bound.
pub enum Listener {
    Unix {
        listener: UnixListener,
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    Tcp(TcpListener),
}

impl Listener {
    pub async fn bind(socket_dir: Option<&std::path::Path>) -> std::io::Result<Listener> {
        match Self::bind_unix(socket_dir) {
            Ok(l) => Ok(l),
            Err(e) => {
                super::log::warn(format!("cannot listen on a Unix socket ({e}); using loopback TCP"));
                Ok(Listener::Tcp(TcpListener::bind(("127.0.0.1", 0)).await?))
            }
        }
    }

    fn bind_unix(socket_dir: Option<&std::path::Path>) -> std::io::Result<Listener> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("wellarch-plugin");
        // The directory is created 0700: only this user can reach the socket.
        let dir = match socket_dir {
            Some(d) => builder.tempdir_in(d)?,
            None => builder.tempdir()?,
        };
        let path = dir.path().join("plugin.sock");
        let listener = UnixListener::bind(&path)?;
        Ok(Listener::Unix {
            listener,
            path,
            _dir: dir,
        })
    }

    pub fn network(&self) -> &'static str {
        match self {
            Listener::Unix { .. } => "unix",
            Listener::Tcp(_) => "tcp",
        }
    }

    pub fn address(&self) -> String {
        match self {
            Listener::Unix { path, .. } => path.display().to_string(),
            Listener::Tcp(l) => l
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|_| "127.0.0.1:0".into()),
        }
    }

    pub async fn accept(&self) -> std::io::Result<Conn> {
        match self {
            Listener::Unix { listener, .. } => Ok(Conn::new(listener.accept().await?.0)),
            Listener::Tcp(l) => {
                let (stream, _) = l.accept().await?;
                stream.set_nodelay(true)?;
                Ok(Conn::new(stream))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn refuses_without_the_cookie_or_protocol_6() {
        let err = settings(env(&[])).expect_err("no cookie");
        assert!(err.contains("Terraform provider plugin"), "{err}");
        let err = settings(env(&[(MAGIC_COOKIE_KEY, "nope")])).expect_err("wrong cookie");
        assert!(err.contains("not meant to be run by hand"));
        let err = settings(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "4,5"),
            ("TF_DISABLE_PLUGIN_TLS", "1"),
        ]))
        .expect_err("no protocol 6");
        assert!(err.contains("4,5"), "{err}");
        let err = settings(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "6"),
        ]))
        .expect_err("no client certificate");
        assert!(err.contains("PLUGIN_CLIENT_CERT"), "{err}");
    }

    #[test]
    fn accepts_protocol_6_in_any_position() {
        let s = settings(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5, 6"),
            ("TF_DISABLE_PLUGIN_TLS", "1"),
        ]))
        .expect("accepted");
        assert!(s.client_cert.is_none());
    }

    #[test]
    fn line_has_the_certificate_only_with_tls() {
        assert_eq!(
            line("unix", "/tmp/x/plugin.sock", None),
            "1|6|unix|/tmp/x/plugin.sock|grpc"
        );
        // Standard alphabet, no padding.
        assert_eq!(line("unix", "/s", Some(&[0xfb, 0xff])), "1|6|unix|/s|grpc|+/8");
    }
}
