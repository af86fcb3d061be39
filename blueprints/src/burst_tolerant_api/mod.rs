//! `wellarch_burst_tolerant_api`: a serverless API that absorbs bursts.
//!
//! ```text
//! client → Route 53 → CloudFront (TLS, cache) + WAF → API Gateway HTTP API (Cognito JWT)
//!        → SQS queue (+ dead-letter queue) → Lambda consumer → DynamoDB + S3 payload bucket
//!        → SNS fan-out;  CloudWatch alarms → SNS
//! ```
//!
//! The API only enqueues (an `SQS-SendMessage` integration, no Lambda in the request path),
//! so a burst fills the queue instead of failing requests; the consumer drains it at a
//! bounded concurrency. [`config`] reads and validates the configuration, [`expand`]
//! turns it into components.

pub mod config;
pub mod expand;
#[cfg(test)]
mod tests;

use serde_json::{Value, json};

use crate::config::DEFAULT_RULE_GROUPS;
use crate::schema::{Attribute, Nesting, Schema, Type};
use crate::{ConfigError, Kind, Planned};

pub const TYPE_NAME: &str = "wellarch_burst_tolerant_api";

/// The longest `name`: the payload bucket `<name>-payloads` must fit S3's 63 characters.
pub const MAX_NAME: usize = 63 - "-payloads".len();

pub fn kind() -> Kind {
    Kind {
        type_name: TYPE_NAME,
        schema,
        plan,
        example: EXAMPLE,
        example_config,
        components_note: "Without an `edge` block there is no WAF web ACL, distribution or Route 53 record; with \
                          `api.auth` other than `cognito` there is no user pool, client or authorizer; with \
                          `api.access_logs = false` no access log group.",
        guide: "",
    }
}

/// Validates `config` (Terraform's JSON shape of [`schema`]) and expands it.
pub fn plan(config: &Value) -> Result<Planned, Vec<ConfigError>> {
    let (cfg, filled) = config::read(config)?;
    Ok(Planned {
        config: filled,
        expansion: expand::expand(&cfg),
    })
}

const PLAIN_OUTPUTS: &[(&str, &str)] = &[
    (
        "api_endpoint",
        "URL of the HTTP API (`https://<id>.execute-api.<region>.amazonaws.com`).",
    ),
    ("queue_url", "URL of the buffer queue."),
    ("queue_arn", "ARN of the buffer queue."),
    ("dlq_url", "URL of the dead-letter queue."),
    ("dlq_arn", "ARN of the dead-letter queue."),
    ("table_name", "Name of the DynamoDB table."),
    ("bucket_name", "Name of the payload bucket."),
    (
        "topic_arn",
        "ARN of the SNS topic that fans out events and receives the alarms.",
    ),
    (
        "user_pool_id",
        "ID of the Cognito user pool (null unless `api.auth` is `cognito`).",
    ),
    (
        "user_pool_client_id",
        "ID of the Cognito user pool client whose tokens the API accepts (null unless `api.auth` is `cognito`).",
    ),
    (
        "distribution_domain",
        "Domain name of the CloudFront distribution (`d111111abcdef8.cloudfront.net`; null without an `edge` block).",
    ),
];

/// The names of the computed outputs, in order.
pub fn output_names() -> Vec<&'static str> {
    PLAIN_OUTPUTS.iter().map(|(n, _)| *n).collect()
}

pub fn schema() -> Schema {
    let mut s = Schema::new(
        "A serverless API that absorbs traffic bursts: an API Gateway HTTP API (Cognito JWT auth, \
         throttling, access logs) enqueues each request into an SQS queue with a dead-letter queue; \
         a Lambda function with reserved concurrency drains the queue into a DynamoDB table and an \
         S3 payload bucket and publishes to an SNS topic. Optionally CloudFront with AWS WAF and a \
         Route 53 alias sit in front. CloudWatch alarms on queue age, dead letters, Lambda errors \
         and throttles and API 5xx responses notify the SNS topic. Every optional setting has a \
         Well-Architected default.",
    )
    .attribute(
        Attribute::required(
            "name",
            Type::String,
            "Prefix of every child's name (queue `<name>-queue`, function `<name>-consumer`, bucket \
             `<name>-payloads`, ...): 1 to 54 lowercase letters, digits and hyphens, starting with a \
             letter and not ending with a hyphen.",
        )
        .forces_replacement(),
    )
    .attribute(Attribute::defaulted(
        "log_retention_days",
        Type::Number,
        json!(30),
        "Days CloudWatch keeps the consumer's logs and the API access logs (a value CloudWatch \
         accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, \
         2557, 2922, 3288 or 3653).",
    ))
    .attribute(Attribute::optional(
        "tags",
        Type::map(Type::String),
        "Tags for every child that AWS can tag (the provider adds `wellarch:composite` and \
         `wellarch:component`; keys starting with `aws:` or `wellarch:` are reserved).",
    ))
    // Required (Terraform's way: a list of exactly one block); the code location has no default.
    .block("handler", Nesting::List { min: 1, max: 1 }, handler_schema())
    .block("queue", Nesting::Single, queue_schema())
    .block("table", Nesting::Single, table_schema())
    .block("bucket", Nesting::Single, bucket_schema())
    .block("api", Nesting::Single, api_schema())
    .block("edge", Nesting::Single, edge_schema())
    .block("notifications", Nesting::Single, notifications_schema())
    .block("alarms", Nesting::Single, alarms_schema());
    for (name, description) in PLAIN_OUTPUTS {
        s = s.attribute(Attribute::computed(name, Type::String, description));
    }
    s
}

fn handler_schema() -> Schema {
    Schema::new(
        "The Lambda function that consumes the queue. Required: it says where the code is \
         (`filename`, or `s3_bucket` and `s3_key`).",
    )
    .attribute(Attribute::optional(
        "filename",
        Type::String,
        "Path of the deployment package (a zip file). Conflicts with `s3_bucket`.",
    ))
    .attribute(Attribute::optional(
        "s3_bucket",
        Type::String,
        "S3 bucket holding the deployment package (in the same region). Needs `s3_key`.",
    ))
    .attribute(Attribute::optional(
        "s3_key",
        Type::String,
        "S3 key of the deployment package.",
    ))
    .attribute(Attribute::defaulted(
        "runtime",
        Type::String,
        json!("python3.12"),
        "Lambda runtime.",
    ))
    .attribute(Attribute::defaulted(
        "handler",
        Type::String,
        json!("app.handler"),
        "Function entry point in your code.",
    ))
    .attribute(Attribute::defaulted(
        "architecture",
        Type::String,
        json!("arm64"),
        "Instruction set: `arm64` (Graviton: less energy, about 20% cheaper) or `x86_64`.",
    ))
    .attribute(Attribute::defaulted(
        "memory_size",
        Type::Number,
        json!(256),
        "Memory in MB, 128 to 10240 (CPU scales with it).",
    ))
    .attribute(Attribute::defaulted(
        "timeout",
        Type::Number,
        json!(30),
        "Seconds one invocation may run, 1 to 900.",
    ))
    .attribute(Attribute::defaulted(
        "reserved_concurrency",
        Type::Number,
        json!(10),
        "Concurrent executions reserved for (and capping) the consumer, 1 to 100000: a burst \
         waits in the queue instead of overwhelming the table. Lambda refuses a reservation that \
         leaves the account fewer than 100 unreserved executions.",
    ))
    .attribute(Attribute::defaulted(
        "batch_size",
        Type::Number,
        json!(10),
        "Messages per invocation, 1 to 10000 (above 10 needs `batch_window` of at least 1).",
    ))
    .attribute(Attribute::defaulted(
        "batch_window",
        Type::Number,
        json!(0),
        "Seconds Lambda may wait to fill a batch, 0 to 300.",
    ))
    .attribute(Attribute::optional(
        "environment",
        Type::map(Type::String),
        "Extra environment variables. `TABLE_NAME`, `BUCKET_NAME` and `TOPIC_ARN` are set by the \
         composite.",
    ))
}

fn queue_schema() -> Schema {
    Schema::new("The SQS buffer between the API and the consumer, and its dead-letter queue.")
        .attribute(Attribute::defaulted(
            "max_receive_count",
            Type::Number,
            json!(5),
            "Receives before a message moves to the dead-letter queue, 1 to 1000.",
        ))
        .attribute(Attribute::defaulted(
            "visibility_timeout_seconds",
            Type::Number,
            json!("6 × handler.timeout + handler.batch_window"),
            "Seconds a received message stays hidden, at most 43200. When set it must be at least \
             6 × `handler.timeout` + `handler.batch_window` (AWS's minimum for a Lambda event \
             source: shorter re-delivers messages still being processed).",
        ))
        .attribute(Attribute::defaulted(
            "message_retention_seconds",
            Type::Number,
            json!(345600),
            "Seconds the queue keeps a message, 60 to 1209600. The dead-letter queue keeps \
             messages for the maximum, 14 days.",
        ))
}

fn table_schema() -> Schema {
    Schema::new("The DynamoDB table the consumer writes (on-demand capacity, encrypted with KMS).")
        .attribute(
            Attribute::defaulted("hash_key", Type::String, json!("pk"), "Partition key attribute.")
                .forces_replacement(),
        )
        .attribute(
            Attribute::defaulted(
                "hash_key_type",
                Type::String,
                json!("S"),
                "Partition key type: `S`, `N` or `B`.",
            )
            .forces_replacement(),
        )
        .attribute(
            Attribute::optional("range_key", Type::String, "Sort key attribute (none when unset).")
                .forces_replacement(),
        )
        .attribute(
            Attribute::defaulted(
                "range_key_type",
                Type::String,
                json!("S"),
                "Sort key type: `S`, `N` or `B`.",
            )
            .forces_replacement(),
        )
        .attribute(Attribute::defaulted(
            "point_in_time_recovery",
            Type::Bool,
            json!(true),
            "Continuous backups with restore to any second of the last 35 days.",
        ))
        .attribute(Attribute::defaulted(
            "deletion_protection",
            Type::Bool,
            json!(true),
            "Refuse to delete the table (set to false before destroying the composite).",
        ))
}

fn bucket_schema() -> Schema {
    Schema::new(
        "The S3 bucket for message payloads (versioned, KMS-encrypted, public access blocked, \
         old versions expire).",
    )
    .attribute(
        Attribute::optional(
            "name",
            Type::String,
            "Bucket name; `<name>-payloads` when unset. S3 bucket names are global.",
        )
        .forces_replacement(),
    )
    .attribute(Attribute::defaulted(
        "force_destroy",
        Type::Bool,
        json!(false),
        "Delete every object when the composite is destroyed.",
    ))
    .attribute(Attribute::defaulted(
        "noncurrent_version_expiration_days",
        Type::Number,
        json!(90),
        "Days an overwritten or deleted object version is kept, 1 to 3650.",
    ))
    .attribute(Attribute::optional(
        "kms_key_arn",
        Type::String,
        "Customer managed KMS key for the bucket; the AWS managed key `aws/s3` when unset.",
    ))
}

fn api_schema() -> Schema {
    Schema::new("The API Gateway HTTP API that enqueues requests.")
        .attribute(Attribute::defaulted(
            "auth",
            Type::String,
            json!("cognito"),
            "Who may call the API: `cognito` (JWTs of a Cognito user pool the composite creates), \
             `iam` (SigV4-signed requests) or `none` (anyone).",
        ))
        .attribute(Attribute::defaulted(
            "route_key",
            Type::String,
            json!("POST /messages"),
            "The route that enqueues the request body: `METHOD /path`.",
        ))
        .attribute(Attribute::defaulted(
            "throttling_rate_limit",
            Type::Number,
            json!(100),
            "Steady-state requests per second the stage accepts, 1 to 1000000.",
        ))
        .attribute(Attribute::defaulted(
            "throttling_burst_limit",
            Type::Number,
            json!(200),
            "Requests the stage accepts in a burst, 1 to 1000000.",
        ))
        .attribute(Attribute::defaulted(
            "access_logs",
            Type::Bool,
            json!(true),
            "Write JSON access logs to a CloudWatch log group.",
        ))
        .attribute(Attribute::defaulted(
            "mfa",
            Type::String,
            json!("ON"),
            "Multi-factor sign-in for the Cognito users (with `auth = \"cognito\"`): `ON` (every user \
             enrols an authenticator app at first sign-in), `OPTIONAL` (users choose) or `OFF`.",
        ))
}

fn edge_schema() -> Schema {
    Schema::new(
        "CloudFront in front of the API, filtered by an AWS WAF web ACL (in us-east-1, as \
         CloudFront requires). No edge without this block.",
    )
    .attribute(Attribute::optional(
        "domain_name",
        Type::String,
        "Custom domain (`api.example.com`); needs `acm_certificate_arn`.",
    ))
    .attribute(Attribute::optional(
        "zone_id",
        Type::String,
        "Route 53 hosted zone for `domain_name`: A and AAAA alias records are created in it.",
    ))
    .attribute(Attribute::optional(
        "acm_certificate_arn",
        Type::String,
        "ACM certificate in us-east-1 for `domain_name`; viewers then need TLS 1.2 or newer. \
         Without it CloudFront's default certificate is used, which also accepts TLS 1.0.",
    ))
    .attribute(Attribute::defaulted(
        "price_class",
        Type::String,
        json!("PriceClass_100"),
        "`PriceClass_100`, `PriceClass_200` or `PriceClass_All`.",
    ))
    .attribute(Attribute::defaulted(
        "managed_rule_groups",
        Type::list(Type::String),
        json!(DEFAULT_RULE_GROUPS),
        "AWS managed rule groups (vendor `AWS`) the web ACL applies.",
    ))
    .attribute(Attribute::defaulted(
        "rate_limit",
        Type::Number,
        json!(2000),
        "Requests per client IP in any 5-minute window before WAF blocks it, 100 to 2000000000.",
    ))
    .attribute(Attribute::defaulted(
        "default_ttl",
        Type::Number,
        json!(0),
        "Seconds CloudFront caches a response that has no `Cache-Control`.",
    ))
    .attribute(Attribute::defaulted(
        "max_ttl",
        Type::Number,
        json!(300),
        "Longest time in seconds CloudFront caches any response; at least `default_ttl`.",
    ))
}

fn notifications_schema() -> Schema {
    Schema::new("The SNS topic that fans out the consumer's events and receives every alarm.")
        .attribute(Attribute::optional(
            "kms_master_key_id",
            Type::String,
            "KMS key that encrypts the topic. Unset: the composite creates a customer managed key \
             (rotated yearly) whose policy lets `cloudwatch.amazonaws.com` use it, so alarms can \
             publish to the encrypted topic. A key given here needs that statement in its policy; \
             with the AWS managed `alias/aws/sns` the topic stays encrypted but CloudWatch cannot \
             deliver alarm notifications.",
        ))
        .block(
            "subscription",
            Nesting::List { min: 0, max: 0 },
            Schema::new("A subscriber of the topic (repeatable).")
                .attribute(Attribute::required(
                    "protocol",
                    Type::String,
                    "`email`, `email-json`, `https`, `sqs`, `lambda`, `sms` or `application`.",
                ))
                .attribute(Attribute::required(
                    "endpoint",
                    Type::String,
                    "Address for the protocol: an email address, an `https://` URL, a queue or \
                     function ARN, a phone number.",
                )),
        )
}

fn alarms_schema() -> Schema {
    Schema::new("Thresholds of the CloudWatch alarms; every alarm notifies the SNS topic.")
        .attribute(Attribute::defaulted(
            "period",
            Type::Number,
            json!(300),
            "Seconds per evaluation period, a multiple of 60 up to 86400.",
        ))
        .attribute(Attribute::defaulted(
            "evaluation_periods",
            Type::Number,
            json!(1),
            "Consecutive periods over the threshold before an alarm fires, 1 to 100.",
        ))
        .attribute(Attribute::defaulted(
            "queue_age_threshold",
            Type::Number,
            json!(300),
            "Age in seconds of the oldest queued message above which the consumer is falling behind.",
        ))
        .attribute(Attribute::defaulted(
            "dlq_depth_threshold",
            Type::Number,
            json!(0),
            "Messages in the dead-letter queue above which to alarm.",
        ))
        .attribute(Attribute::defaulted(
            "lambda_errors_threshold",
            Type::Number,
            json!(0),
            "Consumer errors per period above which to alarm.",
        ))
        .attribute(Attribute::defaulted(
            "lambda_throttles_threshold",
            Type::Number,
            json!(10),
            "Consumer throttles per period above which to alarm (some throttling under a burst is \
             the reserved concurrency doing its job).",
        ))
        .attribute(Attribute::defaulted(
            "api_5xx_threshold",
            Type::Number,
            json!(5),
            "API 5xx responses per period above which to alarm.",
        ))
}

/// The usage example of the docs (kept equal to [`example_config`] by the linter's tests).
pub const EXAMPLE: &str = r#"resource "wellarch_burst_tolerant_api" "orders" {
  name = "orders"

  handler {
    filename = "build/consumer.zip"
    runtime  = "python3.12"
    handler  = "app.handler"
    timeout  = 30
  }

  table {
    hash_key  = "order_id"
    range_key = "created_at"
  }

  edge {
    domain_name         = "api.example.com"
    zone_id             = "Z0123456789ABCDEFGHIJ"
    acm_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f3e2c1a-1111-2222-3333-444455556666"
  }

  notifications {
    subscription {
      protocol = "email"
      endpoint = "oncall@example.com"
    }
  }

  tags = {
    team = "orders"
  }
}
"#;

/// [`EXAMPLE`] in Terraform's JSON shape.
pub fn example_config() -> Value {
    json!({
        "name": "orders",
        "handler": [{
            "filename": "build/consumer.zip",
            "runtime": "python3.12",
            "handler": "app.handler",
            "timeout": 30
        }],
        "table": [{ "hash_key": "order_id", "range_key": "created_at" }],
        "edge": [{
            "domain_name": "api.example.com",
            "zone_id": "Z0123456789ABCDEFGHIJ",
            "acm_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0f3e2c1a-1111-2222-3333-444455556666"
        }],
        "notifications": [{
            "subscription": [{ "protocol": "email", "endpoint": "oncall@example.com" }]
        }],
        "tags": { "team": "orders" }
    })
}
