//! The typed configuration of `wellarch_burst_tolerant_api`, read and validated from
//! Terraform's JSON shape.
//!
//! Unknown values (known only after apply) are never errors. A plain value that is unknown
//! stays [`Setting::Unknown`] and becomes [`crate::Expr::Unknown`] in the expansion. Where
//! the *shape* of the expansion depends on an unknown value, the plan uses the default and
//! the real value shapes it at apply, when Terraform plans again with everything known:
//! - `api.auth` unknown: planned as `cognito` (user pool, client and JWT authorizer);
//! - `table.range_key` unknown: planned without a sort key;
//! - `edge` unknown (a `dynamic` block over an unknown collection): planned without an edge;
//!   `edge.domain_name`/`zone_id` unknown: planned with aliases and records whose names are
//!   unknown; `edge.managed_rule_groups` unknown: planned with the default groups;
//! - the `subscription` list unknown: planned without subscriptions;
//! - `tags` unknown: the children's `tags` are unknown.

use serde_json::Value;

use super::MAX_NAME;
use crate::config::{Errors, Section, Setting, SettingMap, check_tags, defaulted as d, managed_rule_groups};
use crate::{ConfigError, PathStep};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub name: Setting<String>,
    pub log_retention_days: Setting<i64>,
    pub tags: Setting<SettingMap>,
    pub handler: Handler,
    pub queue: Queue,
    pub table: Table,
    pub bucket: Bucket,
    pub api: Api,
    pub edge: Option<Edge>,
    pub notifications: Notifications,
    pub alarms: Alarms,
}

/// Where the consumer's code is.
#[derive(Clone, Debug, PartialEq)]
pub enum Code {
    File(Setting<String>),
    S3 {
        bucket: Setting<String>,
        key: Setting<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Handler {
    pub code: Code,
    pub runtime: Setting<String>,
    pub handler: Setting<String>,
    pub architecture: Setting<String>,
    pub memory_size: Setting<i64>,
    pub timeout: Setting<i64>,
    pub reserved_concurrency: Setting<i64>,
    pub batch_size: Setting<i64>,
    pub batch_window: Setting<i64>,
    pub environment: Setting<SettingMap>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    pub max_receive_count: Setting<i64>,
    pub visibility_timeout_seconds: Setting<i64>,
    pub message_retention_seconds: Setting<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub hash_key: Setting<String>,
    pub hash_key_type: Setting<String>,
    /// `None`: no sort key (also when unknown, see the module docs).
    pub range_key: Option<Setting<String>>,
    pub range_key_type: Setting<String>,
    pub point_in_time_recovery: Setting<bool>,
    pub deletion_protection: Setting<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub name: Setting<String>,
    pub force_destroy: Setting<bool>,
    pub noncurrent_version_expiration_days: Setting<i64>,
    pub kms_key_arn: Option<Setting<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    Cognito,
    Iam,
    None,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    pub auth: Auth,
    pub route_key: Setting<String>,
    pub throttling_rate_limit: Setting<f64>,
    pub throttling_burst_limit: Setting<i64>,
    pub access_logs: bool,
    /// `ON`, `OPTIONAL` or `OFF`: Cognito's `mfa_configuration`.
    pub mfa: Setting<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub domain_name: Option<Setting<String>>,
    pub zone_id: Option<Setting<String>>,
    pub acm_certificate_arn: Option<Setting<String>>,
    pub price_class: Setting<String>,
    pub managed_rule_groups: Vec<String>,
    pub rate_limit: Setting<i64>,
    pub default_ttl: Setting<i64>,
    pub max_ttl: Setting<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub protocol: Setting<String>,
    pub endpoint: Setting<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notifications {
    /// `None`: the composite creates a customer managed key for the topic.
    pub kms_master_key_id: Option<Setting<String>>,
    pub subscriptions: Vec<Subscription>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Alarms {
    pub period: Setting<i64>,
    pub evaluation_periods: Setting<i64>,
    pub queue_age_threshold: Setting<f64>,
    pub dlq_depth_threshold: Setting<f64>,
    pub lambda_errors_threshold: Setting<f64>,
    pub lambda_throttles_threshold: Setting<f64>,
    pub api_5xx_threshold: Setting<f64>,
}

/// Retention periods CloudWatch Logs accepts.
pub const LOG_RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/// Environment variables the composite sets for the consumer.
pub const COMPOSITE_ENVIRONMENT: &[&str] = &["TABLE_NAME", "BUCKET_NAME", "TOPIC_ARN"];

const SUBSCRIPTION_PROTOCOLS: &[&str] = &["email", "email-json", "https", "sqs", "lambda", "sms", "application"];

/// Reads and validates a configuration: the typed [`Config`] for the expansion and the
/// filled configuration for the plan, or every error found.
pub fn read(config: &Value) -> Result<(Config, Value), Vec<ConfigError>> {
    let schema = super::schema();
    let errors = Errors::new();
    let mut root = Section::root(&schema, config, &errors);

    let name = root.required_string("name");
    if let Setting::Known(n) = &name
        && let Err(why) = check_name(n)
    {
        root.error("name", why);
    }
    let log_retention_days = d(root.int("log_retention_days", 1..=3653));
    if let Setting::Known(days) = log_retention_days
        && !LOG_RETENTION_DAYS.contains(&days)
    {
        root.error(
            "log_retention_days",
            format!("{days} is not a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, ...)"),
        );
    }
    let tags = root.string_map("tags");
    check_tags(&root, &tags);

    let mut h = root.block("handler");
    let handler = read_handler(&mut h);
    root.put_block("handler", h);

    let mut q = root.block("queue");
    let queue = read_queue(&mut q, &handler);
    root.put_block("queue", q);

    let mut t = root.block("table");
    let table = read_table(&mut t);
    root.put_block("table", t);

    let mut b = root.block("bucket");
    let bucket = read_bucket(&mut b, &name);
    root.put_block("bucket", b);

    let mut a = root.block("api");
    let api = read_api(&mut a);
    root.put_block("api", a);

    let mut e = root.block("edge");
    let edge = e.is_present().then(|| read_edge(&mut e));
    root.put_block("edge", e);

    let mut n = root.block("notifications");
    let notifications = read_notifications(&mut n);
    root.put_block("notifications", n);

    let mut al = root.block("alarms");
    let alarms = read_alarms(&mut al);
    root.put_block("alarms", al);

    let filled = root.finish();
    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok((
        Config {
            name,
            log_retention_days,
            tags,
            handler,
            queue,
            table,
            bucket,
            api,
            edge,
            notifications,
            alarms,
        },
        filled,
    ))
}

/// The composite's name prefixes every child's name, so it must satisfy the strictest
/// naming rule among them: S3 bucket names (lowercase, digits, hyphens; no `xn--` or
/// `sthree-` prefix), at most [`MAX_NAME`] characters so `<name>-payloads` fits in 63.
pub fn check_name(name: &str) -> Result<(), String> {
    let shape = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-');
    if !shape {
        return Err(format!(
            "must be 1 to {MAX_NAME} lowercase letters, digits and hyphens, starting with a letter and not \
             ending with a hyphen, not {name:?}: it prefixes every child's name, and the payload bucket \
             `<name>-payloads` must be a valid S3 bucket name"
        ));
    }
    if name.starts_with("xn--") || name.starts_with("sthree-") {
        return Err(format!(
            "{name:?} starts with a prefix S3 reserves (xn--, sthree-) for bucket names"
        ));
    }
    Ok(())
}

fn read_handler(h: &mut Section<'_>) -> Handler {
    if !h.is_present() && !h.is_unknown() {
        h.error_here(
            "a handler block is required: it says where the consumer's code is (filename, or s3_bucket and s3_key)",
        );
    }
    let filename = h.string("filename");
    let s3_bucket = h.string("s3_bucket");
    let s3_key = h.string("s3_key");
    let code = match (filename, s3_bucket, s3_key) {
        // The whole block is unknown: so is the code location.
        _ if h.is_unknown() => Code::File(Setting::Unknown),
        (Some(f), None, None) => Code::File(f),
        (None, Some(bucket), Some(key)) => Code::S3 { bucket, key },
        (Some(f), Some(_), _) | (Some(f), _, Some(_)) => {
            h.error(
                "filename",
                "conflicts with s3_bucket and s3_key: give one code location",
            );
            Code::File(f)
        }
        (None, Some(bucket), None) => {
            h.error("s3_key", "is required with s3_bucket");
            Code::S3 {
                bucket,
                key: Setting::Unknown,
            }
        }
        (None, None, Some(key)) => {
            h.error("s3_bucket", "is required with s3_key");
            Code::S3 {
                bucket: Setting::Unknown,
                key,
            }
        }
        (None, None, None) => {
            if h.is_present() {
                h.error_here("needs the code location: filename, or s3_bucket and s3_key");
            }
            Code::File(Setting::Unknown)
        }
    };
    let runtime = d(h.string("runtime"));
    non_empty(h, "runtime", &runtime);
    let handler = d(h.string("handler"));
    non_empty(h, "handler", &handler);
    let architecture = d(h.one_of("architecture", &["arm64", "x86_64"]));
    let memory_size = d(h.int("memory_size", 128..=10240));
    let timeout = d(h.int("timeout", 1..=900));
    let reserved_concurrency = d(h.int("reserved_concurrency", 1..=100_000));
    let batch_size = d(h.int("batch_size", 1..=10_000));
    let batch_window = d(h.int("batch_window", 0..=300));
    if let (Setting::Known(size), Setting::Known(0)) = (&batch_size, &batch_window)
        && *size > 10
    {
        h.error(
            "batch_window",
            format!("must be at least 1 when batch_size is above 10 (it is {size}): Lambda's rule for SQS"),
        );
    }
    let environment = h.string_map("environment");
    if let Setting::Known(env) = &environment {
        for (k, _) in env {
            let mut path = h.path_of("environment");
            path.push(PathStep::Key(k.clone()));
            let valid = k.starts_with(|c: char| c.is_ascii_alphabetic())
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if COMPOSITE_ENVIRONMENT.contains(&k.as_str()) {
                h.error_at(path, "is set by the composite");
            } else if !valid {
                h.error_at(
                    path,
                    "environment variable names are letters, digits and underscores, starting with a letter",
                );
            } else if k.starts_with("AWS_") || k.starts_with("LAMBDA_") {
                h.error_at(path, "names starting with AWS_ or LAMBDA_ are reserved by Lambda");
            }
        }
    }
    Handler {
        code,
        runtime,
        handler,
        architecture,
        memory_size,
        timeout,
        reserved_concurrency,
        batch_size,
        batch_window,
        environment,
    }
}

fn non_empty(s: &Section<'_>, name: &str, value: &Setting<String>) {
    if value.known().is_some_and(|v| v.trim().is_empty()) {
        s.error(name, "must not be empty");
    }
}

/// The least visibility timeout AWS documents for an SQS event source.
pub fn min_visibility(handler: &Handler) -> Setting<i64> {
    handler
        .timeout
        .clone()
        .zip(handler.batch_window.clone())
        .map(|(t, w)| 6 * t + w)
}

fn read_queue(q: &mut Section<'_>, handler: &Handler) -> Queue {
    let max_receive_count = d(q.int("max_receive_count", 1..=1000));
    let minimum = min_visibility(handler);
    let visibility_timeout_seconds = match q.derived_int("visibility_timeout_seconds", 0..=43_200) {
        Some(v) => {
            if let (Setting::Known(v), Setting::Known(min)) = (&v, &minimum)
                && v < min
            {
                q.error(
                    "visibility_timeout_seconds",
                    format!(
                        "must be at least 6 × handler.timeout + handler.batch_window = {min} seconds, not {v}: \
                         a shorter timeout makes SQS deliver a message again while the consumer still works on it"
                    ),
                );
            }
            v
        }
        None => {
            q.set_int("visibility_timeout_seconds", &minimum);
            minimum
        }
    };
    let message_retention_seconds = d(q.int("message_retention_seconds", 60..=1_209_600));
    Queue {
        max_receive_count,
        visibility_timeout_seconds,
        message_retention_seconds,
    }
}

fn read_table(t: &mut Section<'_>) -> Table {
    let hash_key = d(t.string("hash_key"));
    check_key_name(t, "hash_key", &hash_key);
    let hash_key_type = d(t.one_of("hash_key_type", &["S", "N", "B"]));
    let range_key = t.string("range_key");
    if let Some(r) = &range_key {
        check_key_name(t, "range_key", r);
        if let (Setting::Known(r), Setting::Known(h)) = (r, &hash_key)
            && r == h
        {
            t.error("range_key", "must differ from hash_key");
        }
    }
    let range_key_type = d(t.one_of("range_key_type", &["S", "N", "B"]));
    Table {
        hash_key,
        hash_key_type,
        // Unknown: planned without a sort key (see the module docs).
        range_key: range_key.filter(|r| !r.is_unknown()),
        range_key_type,
        point_in_time_recovery: d(t.bool("point_in_time_recovery")),
        deletion_protection: d(t.bool("deletion_protection")),
    }
}

fn check_key_name(t: &Section<'_>, name: &str, value: &Setting<String>) {
    if let Setting::Known(v) = value
        && (v.is_empty() || v.len() > 255)
    {
        t.error(name, "key attribute names have 1 to 255 characters");
    }
}

fn read_bucket(b: &mut Section<'_>, name: &Setting<String>) -> Bucket {
    let bucket_name = match b.string("name") {
        Some(n) => {
            if let Setting::Known(n) = &n
                && let Err(why) = check_bucket_name(n)
            {
                b.error("name", why);
            }
            n
        }
        None => name.suffixed("-payloads"),
    };
    let kms_key_arn = b.string("kms_key_arn");
    if let Some(Setting::Known(arn)) = &kms_key_arn
        && !arn.starts_with("arn:")
    {
        b.error("kms_key_arn", "must be a KMS key ARN (arn:aws:kms:...)");
    }
    Bucket {
        name: bucket_name,
        force_destroy: d(b.bool("force_destroy")),
        noncurrent_version_expiration_days: d(b.int("noncurrent_version_expiration_days", 1..=3650)),
        kms_key_arn,
    }
}

/// S3's rules for general purpose bucket names.
pub fn check_bucket_name(n: &str) -> Result<(), String> {
    let chars_ok = n
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let ends_ok =
        n.starts_with(|c: char| c.is_ascii_alphanumeric()) && n.ends_with(|c: char| c.is_ascii_alphanumeric());
    let ip_like = n.split('.').count() == 4
        && n.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if !(3..=63).contains(&n.len()) || !chars_ok || !ends_ok || n.contains("..") || ip_like {
        return Err(format!(
            "{n:?} is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, \
             starting and ending with a letter or digit, not an IP address"
        ));
    }
    if n.starts_with("xn--") || n.starts_with("sthree-") || n.ends_with("-s3alias") || n.ends_with("--ol-s3") {
        return Err(format!("{n:?} uses a prefix or suffix S3 reserves"));
    }
    Ok(())
}

fn read_api(a: &mut Section<'_>) -> Api {
    // Unknown: planned as cognito, the default (see the module docs).
    let auth = match a.one_of("auth", &["cognito", "iam", "none"]) {
        Some(Setting::Known(v)) if v == "iam" => Auth::Iam,
        Some(Setting::Known(v)) if v == "none" => Auth::None,
        _ => Auth::Cognito,
    };
    let route_key = d(a.string("route_key"));
    if let Setting::Known(r) = &route_key
        && let Err(why) = check_route_key(r)
    {
        a.error("route_key", why);
    }
    let throttling_rate_limit = d(a.number("throttling_rate_limit", 1.0..=1_000_000.0));
    let throttling_burst_limit = d(a.int("throttling_burst_limit", 1..=1_000_000));
    // Unknown: planned with access logs, the default.
    let access_logs = !matches!(a.bool("access_logs"), Some(Setting::Known(false)));
    let mfa = d(a.one_of("mfa", &["ON", "OPTIONAL", "OFF"]));
    Api {
        auth,
        route_key,
        throttling_rate_limit,
        throttling_burst_limit,
        access_logs,
        mfa,
    }
}

fn check_route_key(r: &str) -> Result<(), String> {
    const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];
    match r.split_once(' ') {
        Some((method, path)) if METHODS.contains(&method) && path.starts_with('/') && !path.contains(' ') => Ok(()),
        _ => Err(format!(
            "must be `METHOD /path` with METHOD one of {}, not {r:?}",
            METHODS.join(", ")
        )),
    }
}

fn read_edge(e: &mut Section<'_>) -> Edge {
    let domain_name = e.string("domain_name");
    let zone_id = e.string("zone_id");
    let acm_certificate_arn = e.string("acm_certificate_arn");
    if zone_id.is_some() && domain_name.is_none() {
        e.error("zone_id", "needs domain_name: the alias records are created for it");
    }
    if domain_name.is_some() && acm_certificate_arn.is_none() {
        e.error(
            "acm_certificate_arn",
            "is required with domain_name: CloudFront serves a custom domain only with a certificate for it",
        );
    }
    if let Some(Setting::Known(arn)) = &acm_certificate_arn {
        let parts: Vec<&str> = arn.split(':').collect();
        if parts.len() < 6 || parts[0] != "arn" || parts[2] != "acm" {
            e.error(
                "acm_certificate_arn",
                "must be an ACM certificate ARN (arn:aws:acm:us-east-1:...)",
            );
        } else if parts[3] != "us-east-1" {
            e.error(
                "acm_certificate_arn",
                format!(
                    "is in {}; CloudFront only uses ACM certificates from us-east-1",
                    parts[3]
                ),
            );
        }
    }
    let price_class = d(e.one_of("price_class", &["PriceClass_100", "PriceClass_200", "PriceClass_All"]));
    let managed_rule_groups = managed_rule_groups(e);
    let rate_limit = d(e.int("rate_limit", 100..=2_000_000_000));
    let default_ttl = d(e.int("default_ttl", 0..=31_536_000));
    let max_ttl = d(e.int("max_ttl", 0..=31_536_000));
    if let (Setting::Known(def), Setting::Known(max)) = (&default_ttl, &max_ttl)
        && def > max
    {
        e.error("max_ttl", format!("must be at least default_ttl ({def})"));
    }
    Edge {
        domain_name,
        zone_id,
        acm_certificate_arn,
        price_class,
        managed_rule_groups,
        rate_limit,
        default_ttl,
        max_ttl,
    }
}

fn read_notifications(n: &mut Section<'_>) -> Notifications {
    let kms_master_key_id = n.string("kms_master_key_id");
    if let Some(key) = &kms_master_key_id {
        non_empty(n, "kms_master_key_id", key);
    }
    let blocks = n.blocks("subscription");
    let mut subscriptions = Vec::new();
    // An unknown list of blocks: planned without subscriptions (see the module docs).
    let blocks = blocks.map(|list| {
        list.into_iter()
            .map(|mut s| {
                let protocol = s.required_one_of("protocol", SUBSCRIPTION_PROTOCOLS);
                let endpoint = s.required_string("endpoint");
                if let (Setting::Known(p), Setting::Known(e)) = (&protocol, &endpoint) {
                    if p == "https" && !e.starts_with("https://") {
                        s.error("endpoint", "must be an https:// URL for protocol https");
                    }
                    if (p == "sqs" || p == "lambda") && !e.starts_with("arn:") {
                        s.error("endpoint", format!("must be an ARN for protocol {p}"));
                    }
                }
                subscriptions.push(Subscription { protocol, endpoint });
                s
            })
            .collect()
    });
    n.put_blocks("subscription", blocks);
    Notifications {
        kms_master_key_id,
        subscriptions,
    }
}

fn read_alarms(a: &mut Section<'_>) -> Alarms {
    let period = d(a.int("period", 60..=86_400));
    if let Setting::Known(p) = period
        && p % 60 != 0
    {
        a.error("period", format!("must be a multiple of 60, not {p}"));
    }
    let threshold = |a: &mut Section<'_>, name: &str| d(a.number(name, 0.0..=1.0e12));
    Alarms {
        period,
        evaluation_periods: d(a.int("evaluation_periods", 1..=100)),
        queue_age_threshold: threshold(a, "queue_age_threshold"),
        dlq_depth_threshold: threshold(a, "dlq_depth_threshold"),
        lambda_errors_threshold: threshold(a, "lambda_errors_threshold"),
        lambda_throttles_threshold: threshold(a, "lambda_throttles_threshold"),
        api_5xx_threshold: threshold(a, "api_5xx_threshold"),
    }
}
