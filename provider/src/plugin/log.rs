//! Logging: one JSON object per line on stderr, the shape go-plugin's host understands
//! (`@level`, `@message`, `@timestamp`, `@module`), so Terraform files each line under its
//! own log at the right level. The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`.
//!
//! Never log configuration values or AWS responses: they may hold secrets. RPC names,
//! resource types, addresses and error messages are fine.

use std::fmt::Display;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    Off = 5,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }

    /// Terraform's level names; `JSON` means everything. Unset or unrecognised: info
    /// (Terraform drops provider lines anyway unless its own logging is on).
    pub fn from_env_value(value: Option<&str>) -> Level {
        match value.map(|v| v.trim().to_ascii_uppercase()).as_deref() {
            Some("TRACE" | "JSON") => Level::Trace,
            Some("DEBUG") => Level::Debug,
            Some("WARN") => Level::Warn,
            Some("ERROR") => Level::Error,
            Some("OFF") => Level::Off,
            _ => Level::Info,
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);

/// Sets the level from `TF_LOG_PROVIDER` (or `TF_LOG`).
pub fn init_from_env() {
    let value = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok());
    LEVEL.store(Level::from_env_value(value.as_deref()) as u8, Ordering::Relaxed);
}

pub fn enabled(level: Level) -> bool {
    level != Level::Off && level as u8 >= LEVEL.load(Ordering::Relaxed)
}

pub fn log(level: Level, message: impl Display) {
    if !enabled(level) {
        return;
    }
    let line = format_line(level, &message.to_string(), SystemTime::now());
    let mut stderr = std::io::stderr().lock();
    // Nowhere to report a failed write to stderr.
    let _ = stderr.write_all(line.as_bytes());
}

pub fn trace(message: impl Display) {
    log(Level::Trace, message);
}

pub fn debug(message: impl Display) {
    log(Level::Debug, message);
}

pub fn info(message: impl Display) {
    log(Level::Info, message);
}

pub fn warn(message: impl Display) {
    log(Level::Warn, message);
}

pub fn error(message: impl Display) {
    log(Level::Error, message);
}

/// One log line, newline included.
pub fn format_line(level: Level, message: &str, at: SystemTime) -> String {
    let line = serde_json::json!({
        "@level": level.as_str(),
        "@message": message,
        "@module": "wellarch",
        "@timestamp": timestamp(at),
    });
    format!("{line}\n")
}

/// RFC 3339 in UTC with microseconds: `2024-05-01T12:34:56.789012Z`.
pub fn timestamp(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        since.subsec_micros()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, u32::try_from(m).unwrap_or(1), u32::try_from(d).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn lines_are_json_with_terraform_keys() {
        let at = UNIX_EPOCH + Duration::from_micros(1_714_566_896_789_012);
        let line = format_line(Level::Warn, "a \"quoted\" message", at);
        assert!(line.ends_with('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["@level"], "warn");
        assert_eq!(v["@message"], "a \"quoted\" message");
        assert_eq!(v["@module"], "wellarch");
        assert_eq!(v["@timestamp"], "2024-05-01T12:34:56.789012Z");
    }

    #[test]
    fn dates_convert_across_leap_years() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
    }

    #[test]
    fn levels_follow_terraform_names() {
        assert_eq!(Level::from_env_value(Some("json")), Level::Trace);
        assert_eq!(Level::from_env_value(Some("DEBUG")), Level::Debug);
        assert_eq!(Level::from_env_value(Some("off")), Level::Off);
        assert_eq!(Level::from_env_value(None), Level::Info);
    }
}
