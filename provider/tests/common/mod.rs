//! Test support: a real moto server on 127.0.0.1, and AWS configuration pointing at it.
//!
//! One moto per test binary, shared by its tests (each test uses its own resource names).
//! moto runs under a small watchdog that stops it by PID when this process exits: the
//! watchdog waits for EOF on its stdin, which closes when the test binary ends, however it ends.

#![allow(dead_code)]

pub mod driver_kit;
pub mod leftovers;
pub mod proxy;
pub mod terraform;
pub mod zip;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const WATCHDOG: &str = r#"
import subprocess, sys
moto = subprocess.Popen([sys.argv[1], "-H", "127.0.0.1", "-p", sys.argv[2]],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    sys.stdin.read()
finally:
    moto.terminate()
    try:
        moto.wait(timeout=10)
    except subprocess.TimeoutExpired:
        moto.kill()
"#;

pub struct Moto {
    pub endpoint: String,
    // Held so the watchdog's stdin stays open for the life of the process.
    _watchdog: Mutex<Child>,
}

/// The moto_server binary: `WELLARCH_MOTO_SERVER` (set by scripts/setup.sh --print-env),
/// else the setup script's cache.
fn moto_server_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WELLARCH_MOTO_SERVER") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")?;
    let p = PathBuf::from(home).join(".cache/wellarch/venv/bin/moto_server");
    p.exists().then_some(p)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a free loopback port")
}

fn ready(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /moto-api/data.json HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 16];
    matches!(s.read(&mut buf), Ok(n) if n >= 12 && buf.starts_with(b"HTTP/1.") && &buf[9..12] == b"200")
}

impl Moto {
    fn start() -> Option<Moto> {
        let Some(server) = moto_server_path() else {
            assert!(
                std::env::var_os("WELLARCH_REQUIRE_TOOLS").is_none(),
                "moto_server not found: run `bash scripts/setup.sh` (WELLARCH_REQUIRE_TOOLS is set)"
            );
            eprintln!("skipping: moto_server not installed; run `bash scripts/setup.sh`");
            return None;
        };
        let python = server.with_file_name("python");
        let port = free_port();
        let watchdog = Command::new(&python)
            .args(["-c", WATCHDOG])
            .arg(&server)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", python.display()));
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready(port) {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on 127.0.0.1:{port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            _watchdog: Mutex::new(watchdog),
        })
    }
}

/// The moto server of this test binary, started on first use; `None` (test skipped) only
/// when moto is not installed and `WELLARCH_REQUIRE_TOOLS` is unset.
pub fn moto() -> Option<&'static Moto> {
    static MOTO: OnceLock<Option<Moto>> = OnceLock::new();
    MOTO.get_or_init(Moto::start).as_ref()
}

/// AWS configuration for moto: fixed test credentials, `region`, every service at moto's URL.
pub async fn aws_env(moto: &Moto, region: &str) -> terraform_provider_wellarch::aws::AwsEnv {
    let credentials = aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "wellarch-tests");
    let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_types::region::Region::new(region.to_string()))
        .credentials_provider(credentials)
        .endpoint_url(&moto.endpoint)
        .load()
        .await;
    terraform_provider_wellarch::aws::AwsEnv {
        base,
        endpoints: Default::default(),
        component_timeout: Duration::from_secs(120),
    }
}

/// A name no other test of this run uses.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}
