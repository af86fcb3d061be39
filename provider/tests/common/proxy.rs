//! A loopback HTTP proxy in front of moto, for tests that need to see the AWS calls a driver
//! makes, make one of them fail, or fix up one of moto's answers. A test points one service
//! at it through `AwsEnv::endpoints`.
//!
//! moto answers `Connection: close`, so the proxy relays one request per connection, and only
//! requests with a `Content-Length` body (what the AWS SDK sends).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One HTTP request that passed through the proxy.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query, without the `?` (`""` when there is none).
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The operation of an AWS JSON-protocol call (`X-Amz-Target: Service.Operation`).
    pub fn json_operation(&self) -> Option<&str> {
        self.header("x-amz-target").and_then(|t| t.rsplit('.').next())
    }
}

type Answer = dyn Fn(&Request) -> Option<Vec<u8>> + Send + Sync;
type Rewrite = dyn Fn(Vec<u8>) -> Vec<u8> + Send + Sync;

/// What the proxy does besides relaying.
#[derive(Clone, Default)]
pub struct Hooks {
    log: Option<Arc<Mutex<Vec<Request>>>>,
    answer: Option<Arc<Answer>>,
    rewrite: Option<Arc<Rewrite>>,
}

impl Hooks {
    /// Records every request into `log`, in order.
    pub fn record(mut self, log: Arc<Mutex<Vec<Request>>>) -> Self {
        self.log = Some(log);
        self
    }

    /// Sends `answer`'s response instead of relaying, for the requests it returns one for.
    pub fn answer(mut self, answer: impl Fn(&Request) -> Option<Vec<u8>> + Send + Sync + 'static) -> Self {
        self.answer = Some(Arc::new(answer));
        self
    }

    /// Passes moto's whole response (head and body) through `rewrite` before sending it back.
    pub fn rewrite(mut self, rewrite: impl Fn(Vec<u8>) -> Vec<u8> + Send + Sync + 'static) -> Self {
        self.rewrite = Some(Arc::new(rewrite));
        self
    }
}

/// Starts the proxy on the current runtime in front of `upstream` (`http://127.0.0.1:port`);
/// its URL.
pub async fn start(upstream: &str, hooks: Hooks) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
    let addr = listener.local_addr().expect("proxy address");
    let upstream = upstream.trim_start_matches("http://").to_string();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(relay(client, upstream.clone(), hooks.clone()));
        }
    });
    format!("http://{addr}")
}

/// An HTTP response with `status`, `headers` and `body`, for [`Hooks::answer`].
pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} Injected\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
    format!("{head}{body}").into_bytes()
}

/// The end of the head (after `\r\n\r\n`) in `buf`, if it is all there.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

async fn relay(mut client: TcpStream, upstream: String, hooks: Hooks) {
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(end) = head_end(&raw) {
            break end;
        }
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or_default().split_whitespace();
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (path, query) = (path.to_string(), query.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut request = Request {
        method,
        path,
        query,
        headers,
        body: String::new(),
    };
    assert!(
        !request
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked")),
        "the proxy handles only Content-Length bodies"
    );
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while raw.len() < end + length {
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
        }
    }
    request.body = String::from_utf8_lossy(&raw[end..]).to_string();
    if let Some(log) = &hooks.log {
        log.lock().expect("request log").push(request.clone());
    }

    let response = match hooks.answer.as_ref().and_then(|answer| answer(&request)) {
        Some(injected) => injected,
        None => {
            let Ok(mut server) = TcpStream::connect(&upstream).await else {
                return;
            };
            if server.write_all(&raw).await.is_err() {
                return;
            }
            let mut response = Vec::new();
            let _ = server.read_to_end(&mut response).await;
            match &hooks.rewrite {
                Some(rewrite) => rewrite(response),
                None => response,
            }
        }
    };
    let _ = client.write_all(&response).await;
    let _ = client.shutdown().await;
}
