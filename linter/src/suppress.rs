//! Inline suppressions: `# wellarch:ignore SEC001[,REL002] [until=YYYY-MM-DD] -- reason`,
//! written on the line above a block or anywhere inside it.

use crate::graph::Location;
use crate::load::source::SourceFile;

const MARKER: &str = "wellarch:ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub codes: Vec<String>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`; the suppression stops applying after this day.
    pub until: Option<String>,
    /// A malformed `until=` value, reported instead of silently ignored.
    pub bad_until: Option<String>,
    pub location: Location,
}

impl Suppression {
    pub fn covers(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c.eq_ignore_ascii_case(code) || c == "all")
    }

    /// Still in force on `today` (`YYYY-MM-DD`, compared as text, which orders correctly).
    pub fn active_on(&self, today: &str) -> bool {
        self.until.as_deref().is_none_or(|until| today <= until)
    }
}

/// Finds every suppression comment in a file.
pub fn scan(src: &SourceFile) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in src.text.split_inclusive('\n') {
        if let Some(s) = parse_line(line) {
            let at = offset + line.find(MARKER).unwrap_or(0);
            out.push(Suppression {
                location: src.location(Some(at..at + MARKER.len())),
                ..s
            });
        }
        offset += line.len();
    }
    out
}

fn parse_line(line: &str) -> Option<Suppression> {
    let start = line.find(MARKER)?;
    let before = line[..start].trim_end();
    if !(before.ends_with('#') || before.ends_with("//") || before.ends_with("/*")) {
        return None;
    }
    let rest = line[start + MARKER.len()..].trim().trim_end_matches("*/").trim();
    let (head, reason) = match rest.split_once("--") {
        Some((h, r)) => (h, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
        None => (rest, None),
    };
    let mut codes = Vec::new();
    let mut until = None;
    let mut bad_until = None;
    for word in head.split([' ', ',', '\t']).filter(|w| !w.is_empty()) {
        if let Some(date) = word.strip_prefix("until=") {
            if is_date(date) {
                until = Some(date.to_string());
            } else {
                bad_until = Some(date.to_string());
            }
        } else {
            codes.push(word.to_string());
        }
    }
    Some(Suppression {
        codes,
        reason,
        until,
        bad_until,
        location: Location::default(),
    })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Today's date as `YYYY-MM-DD` (UTC), from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_reason_and_until() {
        let src = SourceFile::new(
            "m.tf",
            "# wellarch:ignore SEC001, REL002 until=2030-01-31 -- public by design\nresource \"a\" \"b\" {}\n",
        );
        let s = &scan(&src)[0];
        assert_eq!(s.codes, ["SEC001", "REL002"]);
        assert_eq!(s.until.as_deref(), Some("2030-01-31"));
        assert_eq!(s.reason.as_deref(), Some("public by design"));
        assert_eq!(s.location.line, 1);
        assert!(s.active_on("2030-01-31") && !s.active_on("2030-02-01"));
    }

    #[test]
    fn missing_reason_and_bad_dates_are_kept_for_reporting() {
        let src = SourceFile::new("m.tf", "  // wellarch:ignore SEC001 until=soon\n");
        let s = &scan(&src)[0];
        assert_eq!(s.reason, None);
        assert_eq!(s.bad_until.as_deref(), Some("soon"));
    }

    #[test]
    fn marker_outside_a_comment_is_not_a_suppression() {
        let src = SourceFile::new("m.tf", "description = \"wellarch:ignore SEC001 -- x\"\n");
        assert!(scan(&src).is_empty());
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_454), "2026-01-01");
    }
}
