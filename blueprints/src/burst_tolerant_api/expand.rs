//! The components of `wellarch_burst_tolerant_api`: `hashicorp/aws` resource types and
//! attribute names (see `SPEC-components.md` for what the drivers implement).

use super::config::{Auth, Code, Config, Edge};
use crate::build::{self, allow, assume_role, int, num, obj, policy, r, string, strs, template};
use crate::component::{Body, Component, Expansion};
use crate::config::Setting;
use crate::expr::{Expr, Function};

pub const QUEUE: &str = "aws_sqs_queue.jobs";
pub const DLQ: &str = "aws_sqs_queue.dlq";
pub const TOPIC: &str = "aws_sns_topic.events";
pub const TOPIC_KEY: &str = "aws_kms_key.events";
pub const ACCOUNT: &str = "data.aws_caller_identity.current";
pub const TABLE: &str = "aws_dynamodb_table.items";
pub const BUCKET: &str = "aws_s3_bucket.payloads";
pub const BUCKET_VERSIONING: &str = "aws_s3_bucket_versioning.payloads";
pub const CONSUMER_LOGS: &str = "aws_cloudwatch_log_group.consumer";
pub const API_LOGS: &str = "aws_cloudwatch_log_group.api_access";
pub const CONSUMER_ROLE: &str = "aws_iam_role.consumer";
pub const CONSUMER_POLICY: &str = "aws_iam_role_policy.consumer";
pub const API_ROLE: &str = "aws_iam_role.api";
pub const API_POLICY: &str = "aws_iam_role_policy.api";
pub const CONSUMER: &str = "aws_lambda_function.consumer";
pub const USER_POOL: &str = "aws_cognito_user_pool.users";
pub const USER_POOL_CLIENT: &str = "aws_cognito_user_pool_client.app";
pub const API: &str = "aws_apigatewayv2_api.http";
pub const AUTHORIZER: &str = "aws_apigatewayv2_authorizer.cognito";
pub const INTEGRATION: &str = "aws_apigatewayv2_integration.sqs";
pub const ROUTE: &str = "aws_apigatewayv2_route.send";
pub const STAGE: &str = "aws_apigatewayv2_stage.default";
pub const WEB_ACL: &str = "aws_wafv2_web_acl.edge";
pub const DISTRIBUTION: &str = "aws_cloudfront_distribution.edge";

/// CloudFront-scope WAF web ACLs (and CloudFront's certificates) live in us-east-1.
pub const CLOUDFRONT_REGION: &str = "us-east-1";

pub fn expand(cfg: &Config) -> Expansion {
    let mut c: Vec<Component> = Vec::new();
    queues(cfg, &mut c);
    if cfg.notifications.kms_master_key_id.is_none() {
        topic_key(cfg, &mut c);
    }
    c.push(topic(cfg));
    c.extend(subscriptions(cfg));
    c.push(table(cfg));
    bucket(cfg, &mut c);
    consumer(cfg, &mut c);
    api(cfg, &mut c);
    alarms(cfg, &mut c);
    if let Some(edge) = &cfg.edge {
        edge_components(cfg, edge, &mut c);
    }
    Expansion {
        components: c,
        outputs: outputs(cfg),
    }
}

fn outputs(cfg: &Config) -> Vec<(String, Expr)> {
    let cognito = cfg.api.auth == Auth::Cognito;
    let when = |on: bool, component: &str, attribute: &str| {
        if on { r(component, attribute) } else { Expr::Null }
    };
    [
        ("api_endpoint", r(API, "api_endpoint")),
        ("queue_url", r(QUEUE, "url")),
        ("queue_arn", r(QUEUE, "arn")),
        ("dlq_url", r(DLQ, "url")),
        ("dlq_arn", r(DLQ, "arn")),
        ("table_name", r(TABLE, "name")),
        ("bucket_name", r(BUCKET, "bucket")),
        ("topic_arn", r(TOPIC, "arn")),
        ("user_pool_id", when(cognito, USER_POOL, "id")),
        ("user_pool_client_id", when(cognito, USER_POOL_CLIENT, "id")),
        (
            "distribution_domain",
            when(cfg.edge.is_some(), DISTRIBUTION, "domain_name"),
        ),
    ]
    .into_iter()
    .map(|(n, e)| (n.to_string(), e))
    .collect()
}

// --- helpers ---------------------------------------------------------------------------

/// `<name><suffix>`, unknown when the name is.
fn named(cfg: &Config, suffix: &str) -> Expr {
    cfg.name.suffixed(suffix).into()
}

/// Adds the composite's tags (when there are any) to a taggable component.
fn tagged(cfg: &Config, body: Body) -> Body {
    build::tagged(&cfg.tags, body)
}

// --- components ------------------------------------------------------------------------

fn queues(cfg: &Config, c: &mut Vec<Component>) {
    let q = &cfg.queue;
    c.push(
        Component::new(
            "aws_sqs_queue",
            "dlq",
            tagged(
                cfg,
                Body::new()
                    .attr("name", named(cfg, "-dlq"))
                    .attr("visibility_timeout_seconds", int(&q.visibility_timeout_seconds))
                    // Longer than the source queue: a message keeps its original enqueue time.
                    .attr("message_retention_seconds", 1_209_600)
                    .attr("receive_wait_time_seconds", 20)
                    .attr("sqs_managed_sse_enabled", true),
            ),
        )
        .described("Dead-letter queue: messages the consumer failed `max_receive_count` times, kept 14 days."),
    );
    c.push(
        Component::new(
            "aws_sqs_queue",
            "jobs",
            tagged(
                cfg,
                Body::new()
                    .attr("name", named(cfg, "-queue"))
                    .attr("visibility_timeout_seconds", int(&q.visibility_timeout_seconds))
                    .attr("message_retention_seconds", int(&q.message_retention_seconds))
                    .attr("receive_wait_time_seconds", 20)
                    .attr("sqs_managed_sse_enabled", true)
                    .attr(
                        "redrive_policy",
                        Expr::json(obj(vec![
                            ("deadLetterTargetArn", r(DLQ, "arn")),
                            ("maxReceiveCount", int(&q.max_receive_count)),
                        ])),
                    ),
            ),
        )
        .described("Buffer between the API and the consumer: absorbs bursts (encrypted, long polling)."),
    );
}

fn topic(cfg: &Config) -> Component {
    Component::new(
        "aws_sns_topic",
        "events",
        tagged(
            cfg,
            Body::new()
                .attr("name", named(cfg, "-events"))
                .attr("kms_master_key_id", topic_key_ref(cfg)),
        ),
    )
    .described("Topic the consumer publishes events to (fan-out) and every alarm notifies; KMS-encrypted.")
}

/// The topic's key: the one configured, or the composite's own.
fn topic_key_ref(cfg: &Config) -> Expr {
    match &cfg.notifications.kms_master_key_id {
        Some(key) => string(key),
        None => r(TOPIC_KEY, "arn"),
    }
}

/// A customer managed key for the topic that CloudWatch may use: alarms cannot publish to a
/// topic encrypted with the AWS managed `aws/sns` key.
fn topic_key(cfg: &Config, c: &mut Vec<Component>) {
    c.push(
        Component::data("aws_caller_identity", "current", Body::new()).described("The account id, for the key policy."),
    );
    c.push(
        Component::new(
            "aws_kms_key",
            "events",
            tagged(
                cfg,
                Body::new()
                    .attr(
                        "description",
                        template(vec![string(&cfg.name), Expr::str(" events and alarms topic")]),
                    )
                    .attr("enable_key_rotation", true)
                    .attr("deletion_window_in_days", 30)
                    .attr("policy", build::alarm_topic_key_policy(ACCOUNT)),
            ),
        )
        .described("Key of the topic: CloudWatch may use it, so alarm notifications reach the encrypted topic."),
    );
}

fn subscriptions(cfg: &Config) -> Vec<Component> {
    cfg.notifications
        .subscriptions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Component::new(
                "aws_sns_topic_subscription",
                &format!("subscription_{i}"),
                Body::new()
                    .attr("topic_arn", r(TOPIC, "arn"))
                    .attr("protocol", string(&s.protocol))
                    .attr("endpoint", string(&s.endpoint)),
            )
            .described("Subscriber of the topic, from a `notifications.subscription` block.")
        })
        .collect()
}

fn table(cfg: &Config) -> Component {
    let t = &cfg.table;
    let mut body = Body::new()
        .attr("name", named(cfg, "-table"))
        .attr("billing_mode", "PAY_PER_REQUEST")
        .attr("hash_key", string(&t.hash_key));
    if let Some(range) = &t.range_key {
        body = body.attr("range_key", string(range));
    }
    body = body.block(
        "attribute",
        Body::new()
            .attr("name", string(&t.hash_key))
            .attr("type", string(&t.hash_key_type)),
    );
    if let Some(range) = &t.range_key {
        body = body.block(
            "attribute",
            Body::new()
                .attr("name", string(range))
                .attr("type", string(&t.range_key_type)),
        );
    }
    body = body
        .block(
            "point_in_time_recovery",
            Body::new().attr("enabled", Expr::from(t.point_in_time_recovery.clone())),
        )
        .block("server_side_encryption", Body::new().attr("enabled", true))
        .attr("deletion_protection_enabled", Expr::from(t.deletion_protection.clone()));
    Component::new("aws_dynamodb_table", "items", tagged(cfg, body))
        .described("Table the consumer writes: on-demand capacity, KMS encryption, point-in-time recovery.")
}

fn bucket(cfg: &Config, c: &mut Vec<Component>) {
    let b = &cfg.bucket;
    let id = || r(BUCKET, "id");
    c.push(
        Component::new(
            "aws_s3_bucket",
            "payloads",
            tagged(
                cfg,
                Body::new()
                    .attr("bucket", string(&b.name))
                    .attr("force_destroy", Expr::from(b.force_destroy.clone())),
            ),
        )
        .described("Bucket for message payloads the consumer stores."),
    );
    c.push(
        Component::new(
            "aws_s3_bucket_versioning",
            "payloads",
            Body::new()
                .attr("bucket", id())
                .block("versioning_configuration", Body::new().attr("status", "Enabled")),
        )
        .described("Versioning of the payload bucket: overwritten and deleted payloads stay recoverable."),
    );
    let mut by_default = Body::new().attr("sse_algorithm", "aws:kms");
    if let Some(key) = &b.kms_key_arn {
        by_default = by_default.attr("kms_master_key_id", string(key));
    }
    c.push(
        Component::new(
            "aws_s3_bucket_server_side_encryption_configuration",
            "payloads",
            Body::new().attr("bucket", id()).block(
                "rule",
                Body::new()
                    .block("apply_server_side_encryption_by_default", by_default)
                    .attr("bucket_key_enabled", true),
            ),
        )
        .described("Default encryption of the payload bucket with KMS (S3 Bucket Keys keep KMS calls low)."),
    );
    c.push(
        Component::new(
            "aws_s3_bucket_public_access_block",
            "payloads",
            Body::new()
                .attr("bucket", id())
                .attr("block_public_acls", true)
                .attr("block_public_policy", true)
                .attr("ignore_public_acls", true)
                .attr("restrict_public_buckets", true),
        )
        .described("Blocks every form of public access to the payload bucket."),
    );
    c.push(
        Component::new(
            "aws_s3_bucket_lifecycle_configuration",
            "payloads",
            Body::new().attr("bucket", id()).block(
                "rule",
                Body::new()
                    .attr("id", "expire-noncurrent-versions")
                    .attr("status", "Enabled")
                    .block("filter", Body::new())
                    .block(
                        "noncurrent_version_expiration",
                        Body::new().attr("noncurrent_days", int(&b.noncurrent_version_expiration_days)),
                    )
                    .block(
                        "abort_incomplete_multipart_upload",
                        Body::new().attr("days_after_initiation", 7),
                    ),
            ),
        )
        // Lifecycle rules on noncurrent versions need versioning in place first.
        .after(BUCKET_VERSIONING)
        .described("Lifecycle of the payload bucket: old versions and abandoned uploads expire."),
    );
}

fn consumer(cfg: &Config, c: &mut Vec<Component>) {
    let h = &cfg.handler;
    c.push(
        Component::new(
            "aws_cloudwatch_log_group",
            "consumer",
            tagged(
                cfg,
                Body::new()
                    .attr("name", cfg.name.prefixed("/aws/lambda/").suffixed("-consumer"))
                    .attr("retention_in_days", int(&cfg.log_retention_days)),
            ),
        )
        .described("Log group of the consumer, created before it so that logs expire."),
    );
    c.push(
        Component::new(
            "aws_iam_role",
            "consumer",
            tagged(
                cfg,
                Body::new()
                    .attr("name", named(cfg, "-consumer"))
                    .attr("assume_role_policy", assume_role("lambda.amazonaws.com"))
                    .attr("description", "Execution role of the queue consumer (least privilege)"),
            ),
        )
        .described("Execution role of the consumer."),
    );
    c.push(
        Component::new(
            "aws_iam_role_policy",
            "consumer",
            Body::new()
                .attr("name", named(cfg, "-consumer"))
                .attr("role", r(CONSUMER_ROLE, "name"))
                .attr("policy", consumer_policy(cfg)),
        )
        .described(
            "What the consumer may do: read its queue, write its table, bucket and topic, write its logs and traces.",
        ),
    );
    let mut env: Vec<(String, Expr)> = vec![
        ("TABLE_NAME".into(), r(TABLE, "name")),
        ("BUCKET_NAME".into(), r(BUCKET, "bucket")),
        ("TOPIC_ARN".into(), r(TOPIC, "arn")),
    ];
    let env_expr = match &h.environment {
        Setting::Known(user) => {
            env.extend(user.iter().map(|(k, v)| (k.clone(), Expr::from(v.clone()))));
            Expr::Object(env)
        }
        Setting::Unknown => Expr::Unknown,
    };
    let mut body = Body::new()
        .attr("function_name", named(cfg, "-consumer"))
        .attr("role", r(CONSUMER_ROLE, "arn"))
        .attr("runtime", string(&h.runtime))
        .attr("handler", string(&h.handler));
    body = match &h.code {
        Code::File(f) => body.attr("filename", string(f)),
        Code::S3 { bucket, key } => body.attr("s3_bucket", string(bucket)).attr("s3_key", string(key)),
    };
    body = body
        .attr("architectures", Expr::List(vec![string(&h.architecture)]))
        .attr("memory_size", int(&h.memory_size))
        .attr("timeout", int(&h.timeout))
        .attr("reserved_concurrent_executions", int(&h.reserved_concurrency))
        .block("environment", Body::new().attr("variables", env_expr))
        .block("tracing_config", Body::new().attr("mode", "Active"));
    c.push(
        Component::new("aws_lambda_function", "consumer", tagged(cfg, body))
            // Lambda checks the role's permissions (X-Ray for active tracing) at creation.
            .after(CONSUMER_POLICY)
            .after(CONSUMER_LOGS)
            .described("Consumer: drains the queue at a reserved concurrency, with X-Ray tracing."),
    );
    c.push(
        Component::new(
            "aws_lambda_event_source_mapping",
            "jobs",
            Body::new()
                .attr("event_source_arn", r(QUEUE, "arn"))
                .attr("function_name", r(CONSUMER, "arn"))
                .attr("batch_size", int(&h.batch_size))
                .attr("maximum_batching_window_in_seconds", int(&h.batch_window))
                .attr("function_response_types", strs(&["ReportBatchItemFailures"]))
                .attr("enabled", true),
        )
        // Lambda checks that the role may receive from the queue when the mapping is created.
        .after(CONSUMER_POLICY)
        .described("Feeds queue messages to the consumer in batches; failed items are retried alone."),
    );
}

/// Least privilege for the consumer. Every statement names the composite's own resources,
/// except X-Ray's, which has no resource-level permissions (and Lambda refuses to create a
/// function with active tracing whose role cannot write traces).
///
/// DynamoDB: `PutItem` and `UpdateItem` are what a consumer that records messages needs
/// (conditional writes for idempotency included); no `GetItem`/`Query`/`Scan` (a consumer
/// does not read the table back, and reads would let a compromised function exfiltrate it),
/// no `DeleteItem`, no `BatchWriteItem` (which also deletes).
pub fn consumer_policy(cfg: &Config) -> Expr {
    let mut statements = vec![
        allow(
            "ConsumeQueue",
            &[
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            ],
            r(QUEUE, "arn"),
        ),
        allow(
            "WriteTable",
            &["dynamodb:PutItem", "dynamodb:UpdateItem"],
            r(TABLE, "arn"),
        ),
        allow(
            "WritePayloads",
            &["s3:PutObject"],
            template(vec![r(BUCKET, "arn"), Expr::str("/*")]),
        ),
        allow("PublishEvents", &["sns:Publish"], r(TOPIC, "arn")),
        allow(
            "WriteLogs",
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            template(vec![r(CONSUMER_LOGS, "arn"), Expr::str(":*")]),
        ),
        allow(
            "WriteTraces",
            &["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Expr::str("*"),
        ),
    ];
    if let Some(key) = &cfg.bucket.kms_key_arn {
        statements.push(allow(
            "EncryptPayloads",
            &["kms:GenerateDataKey", "kms:Decrypt"],
            string(key),
        ));
    }
    // Publishing to a topic under a customer managed key needs the key; AWS managed keys
    // and aliases need no grant here.
    match &cfg.notifications.kms_master_key_id {
        None => statements.push(allow(
            "EncryptEvents",
            &["kms:GenerateDataKey", "kms:Decrypt"],
            r(TOPIC_KEY, "arn"),
        )),
        Some(Setting::Known(key)) if key.starts_with("arn:") && key.contains(":key/") => {
            statements.push(allow(
                "EncryptEvents",
                &["kms:GenerateDataKey", "kms:Decrypt"],
                Expr::str(key.clone()),
            ));
        }
        _ => {}
    }
    policy(statements)
}

fn api(cfg: &Config, c: &mut Vec<Component>) {
    let a = &cfg.api;
    c.push(
        Component::new(
            "aws_iam_role",
            "api",
            tagged(
                cfg,
                Body::new()
                    .attr("name", named(cfg, "-api"))
                    .attr("assume_role_policy", assume_role("apigateway.amazonaws.com"))
                    .attr("description", "Lets the HTTP API send messages to its queue"),
            ),
        )
        .described("Role the API's integration assumes."),
    );
    c.push(
        Component::new(
            "aws_iam_role_policy",
            "api",
            Body::new()
                .attr("name", named(cfg, "-api"))
                .attr("role", r(API_ROLE, "name"))
                .attr("policy", api_policy()),
        )
        .described("What the API may do: send messages to its queue, nothing else."),
    );
    c.push(
        Component::new(
            "aws_apigatewayv2_api",
            "http",
            tagged(
                cfg,
                Body::new()
                    .attr("name", string(&cfg.name))
                    .attr("protocol_type", "HTTP")
                    .attr("description", "Accepts requests and enqueues them"),
            ),
        )
        .described("HTTP API that accepts requests."),
    );
    if a.auth == Auth::Cognito {
        c.push(
            Component::new(
                "aws_cognito_user_pool",
                "users",
                tagged(
                    cfg,
                    Body::new()
                        .attr("name", named(cfg, "-users"))
                        .block(
                            "password_policy",
                            Body::new()
                                .attr("minimum_length", 12)
                                .attr("require_lowercase", true)
                                .attr("require_numbers", true)
                                .attr("require_symbols", true)
                                .attr("require_uppercase", true)
                                .attr("temporary_password_validity_days", 7),
                        )
                        .attr("mfa_configuration", string(&cfg.api.mfa))
                        // Authenticator apps (TOTP): no SMS role or spend.
                        .block("software_token_mfa_configuration", Body::new().attr("enabled", true))
                        .attr("auto_verified_attributes", strs(&["email"])),
                ),
            )
            .described("User pool whose tokens the API accepts."),
        );
        c.push(
            Component::new(
                "aws_cognito_user_pool_client",
                "app",
                Body::new()
                    .attr("name", named(cfg, "-client"))
                    .attr("user_pool_id", r(USER_POOL, "id"))
                    .attr("generate_secret", false)
                    .attr(
                        "explicit_auth_flows",
                        strs(&["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]),
                    )
                    .attr("prevent_user_existence_errors", "ENABLED")
                    // Hours, hours, days: the Cognito defaults' units.
                    .attr("access_token_validity", 1)
                    .attr("id_token_validity", 1)
                    .attr("refresh_token_validity", 30),
            )
            .described("App client (SRP sign-in, no secret) whose tokens the authorizer accepts."),
        );
        c.push(
            Component::new(
                "aws_apigatewayv2_authorizer",
                "cognito",
                Body::new()
                    .attr("api_id", r(API, "id"))
                    .attr("authorizer_type", "JWT")
                    .attr("name", "cognito")
                    .attr("identity_sources", strs(&["$request.header.Authorization"]))
                    .block(
                        "jwt_configuration",
                        Body::new()
                            .attr("audience", Expr::List(vec![r(USER_POOL_CLIENT, "id")]))
                            .attr(
                                "issuer",
                                template(vec![Expr::str("https://"), r(USER_POOL, "endpoint")]),
                            ),
                    ),
            )
            .described("JWT authorizer: only tokens of the user pool's client get through."),
        );
    }
    c.push(
        Component::new(
            "aws_apigatewayv2_integration",
            "sqs",
            Body::new()
                .attr("api_id", r(API, "id"))
                .attr("integration_type", "AWS_PROXY")
                .attr("integration_subtype", "SQS-SendMessage")
                .attr("credentials_arn", r(API_ROLE, "arn"))
                .attr(
                    "request_parameters",
                    obj(vec![
                        ("QueueUrl", r(QUEUE, "url")),
                        ("MessageBody", Expr::str("$request.body")),
                    ]),
                )
                .attr("payload_format_version", "1.0")
                .attr("timeout_milliseconds", 10_000),
        )
        .after(API_POLICY)
        .described("Sends each request body to the queue (no Lambda in the request path)."),
    );
    let mut route = Body::new()
        .attr("api_id", r(API, "id"))
        .attr("route_key", string(&a.route_key))
        .attr(
            "target",
            template(vec![Expr::str("integrations/"), r(INTEGRATION, "id")]),
        );
    route = match a.auth {
        Auth::Cognito => route
            .attr("authorization_type", "JWT")
            .attr("authorizer_id", r(AUTHORIZER, "id")),
        Auth::Iam => route.attr("authorization_type", "AWS_IAM"),
        Auth::None => route.attr("authorization_type", "NONE"),
    };
    c.push(Component::new("aws_apigatewayv2_route", "send", route).described("The route that enqueues requests."));
    let mut stage = Body::new()
        .attr("api_id", r(API, "id"))
        .attr("name", "$default")
        .attr("auto_deploy", true)
        .block(
            "default_route_settings",
            Body::new()
                .attr("throttling_rate_limit", num(&a.throttling_rate_limit))
                .attr("throttling_burst_limit", int(&a.throttling_burst_limit))
                .attr("detailed_metrics_enabled", false),
        );
    if a.access_logs {
        c.push(
            Component::new(
                "aws_cloudwatch_log_group",
                "api_access",
                tagged(
                    cfg,
                    Body::new()
                        .attr("name", cfg.name.prefixed("/aws/apigateway/").suffixed("-access"))
                        .attr("retention_in_days", int(&cfg.log_retention_days)),
                ),
            )
            .described("Log group of the API's access logs."),
        );
        stage = stage.block(
            "access_log_settings",
            Body::new()
                .attr("destination_arn", r(API_LOGS, "arn"))
                .attr("format", access_log_format()),
        );
    }
    c.push(
        Component::new("aws_apigatewayv2_stage", "default", tagged(cfg, stage))
            // Auto-deploy publishes the routes that exist when the stage is created.
            .after(ROUTE)
            .described("Auto-deployed stage with throttling and access logs."),
    );
}

/// The API may only send messages to its own queue.
pub fn api_policy() -> Expr {
    policy(vec![allow("SendToQueue", &["sqs:SendMessage"], r(QUEUE, "arn"))])
}

fn access_log_format() -> Expr {
    let fields = [
        ("requestId", "$context.requestId"),
        ("ip", "$context.identity.sourceIp"),
        ("requestTime", "$context.requestTime"),
        ("httpMethod", "$context.httpMethod"),
        ("routeKey", "$context.routeKey"),
        ("status", "$context.status"),
        ("protocol", "$context.protocol"),
        ("responseLength", "$context.responseLength"),
        ("integrationError", "$context.integrationErrorMessage"),
    ];
    Expr::json(obj(fields.iter().map(|(k, v)| (*k, Expr::str(*v))).collect()))
}

fn alarms(cfg: &Config, c: &mut Vec<Component>) {
    let a = &cfg.alarms;
    let alarm = |name: &str,
                 description: &str,
                 namespace: &str,
                 metric: &str,
                 statistic: &str,
                 dimension: (&str, Expr),
                 threshold: &Setting<f64>| {
        Component::new(
            "aws_cloudwatch_metric_alarm",
            name,
            tagged(
                cfg,
                Body::new()
                    .attr("alarm_name", named(cfg, &format!("-{}", name.replace('_', "-"))))
                    .attr("alarm_description", description)
                    .attr("namespace", namespace)
                    .attr("metric_name", metric)
                    .attr("dimensions", obj(vec![dimension]))
                    .attr("statistic", statistic)
                    .attr("period", int(&a.period))
                    .attr("evaluation_periods", int(&a.evaluation_periods))
                    .attr("threshold", num(threshold))
                    .attr("comparison_operator", "GreaterThanThreshold")
                    // No data means no traffic, not a failure.
                    .attr("treat_missing_data", "notBreaching")
                    .attr("alarm_actions", Expr::List(vec![r(TOPIC, "arn")]))
                    .attr("ok_actions", Expr::List(vec![r(TOPIC, "arn")])),
            ),
        )
    };
    c.push(
        alarm(
            "queue_age",
            "The oldest queued message is older than the threshold: the consumer is falling behind",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            "Maximum",
            ("QueueName", r(QUEUE, "name")),
            &a.queue_age_threshold,
        )
        .described("Alarm: the consumer is falling behind (age of the oldest queued message)."),
    );
    c.push(
        alarm(
            "dlq_depth",
            "Messages arrived in the dead-letter queue: the consumer failed them repeatedly",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "Maximum",
            ("QueueName", r(DLQ, "name")),
            &a.dlq_depth_threshold,
        )
        .described("Alarm: messages in the dead-letter queue."),
    );
    c.push(
        alarm(
            "lambda_errors",
            "The consumer reports errors",
            "AWS/Lambda",
            "Errors",
            "Sum",
            ("FunctionName", r(CONSUMER, "function_name")),
            &a.lambda_errors_threshold,
        )
        .described("Alarm: consumer errors."),
    );
    c.push(
        alarm(
            "lambda_throttles",
            "The consumer is throttled beyond what its reserved concurrency explains",
            "AWS/Lambda",
            "Throttles",
            "Sum",
            ("FunctionName", r(CONSUMER, "function_name")),
            &a.lambda_throttles_threshold,
        )
        .described("Alarm: consumer throttles."),
    );
    c.push(
        alarm(
            "api_5xx",
            "The API answers with server errors",
            "AWS/ApiGateway",
            "5xx",
            "Sum",
            ("ApiId", r(API, "id")),
            &a.api_5xx_threshold,
        )
        .described("Alarm: API 5xx responses."),
    );
}

fn edge_components(cfg: &Config, edge: &Edge, c: &mut Vec<Component>) {
    let metric = |rule: &str| match rule {
        "" => named(cfg, "-edge"),
        rule => named(cfg, &format!("-{rule}")),
    };
    let acl = build::rate_limited_web_acl(
        named(cfg, "-edge"),
        "CLOUDFRONT",
        "Filters requests to the API's CloudFront distribution",
        &edge.rate_limit,
        &edge.managed_rule_groups,
        &metric,
    );
    c.push(
        Component::new("aws_wafv2_web_acl", "edge", tagged(cfg, acl))
            .in_region(CLOUDFRONT_REGION)
            .described("WAF web ACL of the distribution (us-east-1): a per-IP rate limit and AWS managed rules."),
    );

    let viewer_certificate = match &edge.acm_certificate_arn {
        Some(arn) => Body::new()
            .attr("acm_certificate_arn", string(arn))
            .attr("ssl_support_method", "sni-only")
            .attr("minimum_protocol_version", "TLSv1.2_2021"),
        None => Body::new().attr("cloudfront_default_certificate", true),
    };
    let mut dist = Body::new()
        .attr("enabled", true)
        .attr("comment", template(vec![string(&cfg.name), Expr::str(" API edge")]))
        .attr("price_class", string(&edge.price_class))
        .attr("http_version", "http2and3")
        .attr("is_ipv6_enabled", true);
    if let Some(domain) = &edge.domain_name {
        dist = dist.attr("aliases", Expr::List(vec![string(domain)]));
    }
    dist = dist
        .attr("web_acl_id", r(WEB_ACL, "arn"))
        .block(
            "origin",
            Body::new()
                .attr(
                    "domain_name",
                    Expr::call(
                        Function::TrimPrefix,
                        vec![r(API, "api_endpoint"), Expr::str("https://")],
                    ),
                )
                .attr("origin_id", "api")
                .block(
                    "custom_origin_config",
                    Body::new()
                        .attr("http_port", 80)
                        .attr("https_port", 443)
                        .attr("origin_protocol_policy", "https-only")
                        .attr("origin_ssl_protocols", strs(&["TLSv1.2"])),
                ),
        )
        .block(
            "default_cache_behavior",
            Body::new()
                .attr("target_origin_id", "api")
                .attr("viewer_protocol_policy", "https-only")
                .attr(
                    "allowed_methods",
                    strs(&["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]),
                )
                .attr("cached_methods", strs(&["GET", "HEAD"]))
                .attr("compress", true)
                .attr("min_ttl", 0)
                .attr("default_ttl", int(&edge.default_ttl))
                .attr("max_ttl", int(&edge.max_ttl))
                .block(
                    "forwarded_values",
                    Body::new()
                        .attr("query_string", true)
                        // The JWT must reach the API (and keeps one user's responses from another).
                        .attr("headers", strs(&["Authorization"]))
                        .block("cookies", Body::new().attr("forward", "none")),
                ),
        )
        .block(
            "restrictions",
            Body::new().block(
                "geo_restriction",
                Body::new()
                    .attr("restriction_type", "none")
                    .attr("locations", Expr::List(Vec::new())),
            ),
        )
        .block("viewer_certificate", viewer_certificate);
    c.push(
        Component::new("aws_cloudfront_distribution", "edge", tagged(cfg, dist))
            .described("CloudFront distribution in front of the API: HTTPS only, TLS 1.2+ with a custom domain."),
    );

    if let (Some(zone), Some(domain)) = (&edge.zone_id, &edge.domain_name) {
        for (name, record_type) in [("edge_ipv4", "A"), ("edge_ipv6", "AAAA")] {
            c.push(
                Component::new(
                    "aws_route53_record",
                    name,
                    Body::new()
                        .attr("zone_id", string(zone))
                        .attr("name", string(domain))
                        .attr("type", record_type)
                        .block(
                            "alias",
                            Body::new()
                                .attr("name", r(DISTRIBUTION, "domain_name"))
                                .attr("zone_id", r(DISTRIBUTION, "hosted_zone_id"))
                                .attr("evaluate_target_health", false),
                        ),
                )
                .described("Alias record of the custom domain to the distribution."),
            );
        }
    }
}
