//! The plugin process as go-plugin expects it: handshake, AutoMTLS, the go-plugin side
//! services (controller, health, stdio) next to `tfplugin6.Provider`, and a prompt exit
//! on Shutdown.

pub mod conn;
pub mod controller;
pub mod handshake;
pub mod health;
pub mod log;
pub mod stdio;
pub mod tls;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use crate::proto::go_plugin::grpc_controller_server::GrpcControllerServer;
use crate::proto::go_plugin::grpc_stdio_server::GrpcStdioServer;
use crate::proto::health::health_server::HealthServer;
use crate::proto::tfplugin6::provider_server::ProviderServer;
use crate::server::ProviderService;
use conn::Conn;
use handshake::{Listener, Settings};

/// Composite states are large; terraform-plugin-go allows the same.
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// How long a client may take to finish the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// After Shutdown, how long open connections may drain before the process exits anyway
/// (Terraform kills the plugin two seconds after asking).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// Serves until Terraform asks for shutdown (or the listener fails).
pub async fn serve(settings: Settings, provider: ProviderService) -> ExitCode {
    let tls = match &settings.client_cert {
        Some(client_cert) => {
            match tls::server_identity().and_then(|id| Ok((tls::server_config(&id, client_cert.clone())?, id.cert))) {
                Ok((config, cert)) => Some((TlsAcceptor::from(config), cert)),
                Err(e) => {
                    log::error(format!("TLS setup failed: {e}"));
                    return ExitCode::from(1);
                }
            }
        }
        None => None,
    };
    let listener = match Listener::bind(settings.socket_dir.as_deref()).await {
        Ok(l) => Arc::new(l),
        Err(e) => {
            log::error(format!("cannot listen: {e}"));
            return ExitCode::from(1);
        }
    };
    ignore_interrupts();

    let shutdown = CancellationToken::new();
    let (tx, rx) = mpsc::channel::<Result<Conn, std::io::Error>>(16);
    let acceptor = tls.as_ref().map(|(a, _)| a.clone());
    tokio::spawn(accept_loop(listener.clone(), acceptor, tx, shutdown.clone()));

    let router = tonic::transport::Server::builder()
        .add_service(
            ProviderServer::new(provider)
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(GrpcControllerServer::new(controller::Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(HealthServer::new(health::HealthService))
        .add_service(GrpcStdioServer::new(stdio::StdioService));

    let line = handshake::line(
        listener.network(),
        &listener.address(),
        tls.as_ref().map(|(_, cert)| cert.as_ref()),
    );
    if let Err(e) = handshake::announce(&line) {
        log::error(format!("cannot write the handshake to stdout: {e}"));
        return ExitCode::from(1);
    }
    log::debug(format!("serving plugin protocol 6 on {}", listener.address()));

    let serve = router.serve_with_incoming_shutdown(ReceiverStream::new(rx), shutdown.clone().cancelled_owned());
    let code = tokio::select! {
        result = serve => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                log::error(format!("gRPC server failed: {e}"));
                ExitCode::from(1)
            }
        },
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => ExitCode::SUCCESS,
    };
    log::debug("plugin exiting");
    // The socket's directory is removed with the listener.
    drop(listener);
    code
}

/// Accepts connections and completes their TLS handshakes concurrently, feeding tonic
/// only connections from the certificate Terraform gave us.
async fn accept_loop(
    listener: Arc<Listener>,
    tls: Option<TlsAcceptor>,
    tx: mpsc::Sender<Result<Conn, std::io::Error>>,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => return,
        };
        let conn = match accepted {
            Ok(c) => c,
            Err(e) => {
                log::warn(format!("accept failed: {e}"));
                // Out of file descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(acceptor) = tls.clone() else {
            if tx.send(Ok(conn)).await.is_err() {
                return;
            }
            continue;
        };
        let tx = tx.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(conn)).await {
                Ok(Ok(stream)) => {
                    let _ = tx.send(Ok(Conn::new(stream))).await;
                }
                Ok(Err(e)) => log::warn(format!("TLS handshake refused: {e}")),
                Err(_) => log::warn("TLS handshake timed out"),
            }
        });
    }
}

/// Terraform forwards Ctrl-C to its plugins' process group and then calls StopProvider;
/// the signal itself must not kill an apply halfway.
fn ignore_interrupts() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
        Ok(mut signals) => {
            tokio::spawn(async move {
                while signals.recv().await.is_some() {
                    log::debug("interrupt received; waiting for StopProvider");
                }
            });
        }
        Err(e) => log::warn(format!("cannot catch SIGINT: {e}")),
    }
}
