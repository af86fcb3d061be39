use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::expand::*;
use super::{DEFAULT_RULE_GROUPS, output_names, plan, schema};
use crate::config::display_path;
use crate::schema::Presence;
use crate::{Body, Component, ConfigError, Expansion, Expr, Planned, Ref, unknown};

fn minimal() -> Value {
    json!({ "name": "orders", "handler": { "filename": "consumer.zip" } })
}

fn planned(config: Value) -> Planned {
    match plan(&config) {
        Ok(p) => p,
        Err(errors) => panic!("does not plan: {errors:#?}"),
    }
}

fn errors(config: Value) -> Vec<(String, String)> {
    match plan(&config) {
        Ok(_) => panic!("plans although it should not"),
        Err(errors) => errors
            .iter()
            .map(|e: &ConfigError| (display_path(&e.path), e.message.clone()))
            .collect(),
    }
}

fn error_paths(config: Value) -> Vec<String> {
    errors(config).into_iter().map(|(p, _)| p).collect()
}

fn component<'e>(e: &'e Expansion, address: &str) -> &'e Component {
    e.component(address).unwrap_or_else(|| panic!("no {address}"))
}

fn attr<'e>(e: &'e Expansion, address: &str, name: &str) -> &'e Expr {
    component(e, address)
        .body
        .get(name)
        .unwrap_or_else(|| panic!("{address} has no {name}"))
}

fn block<'e>(e: &'e Expansion, address: &str, name: &'e str) -> &'e Body {
    component(e, address)
        .body
        .blocks_named(name)
        .next()
        .unwrap_or_else(|| panic!("{address} has no {name} block"))
}

fn addresses(e: &Expansion) -> BTreeSet<String> {
    e.components.iter().map(Component::address).collect()
}

/// Resolves with fake but well-formed values, so that documents can be read as JSON.
fn fake(r: &Ref) -> Option<Value> {
    let name = r.component.replace('.', "-");
    Some(Value::String(match r.attribute.as_str() {
        "arn" => format!("arn:aws:test:eu-west-1:123456789012:{name}"),
        "url" => format!("https://sqs.eu-west-1.amazonaws.com/123456789012/{name}"),
        "api_endpoint" => "https://abc123.execute-api.eu-west-1.amazonaws.com".into(),
        other => format!("{name}-{other}"),
    }))
}

fn document(e: &Expansion, address: &str, attribute: &str) -> Value {
    let text = attr(e, address, attribute).resolve(&fake).expect("resolves");
    serde_json::from_str(text.as_str().expect("a string")).expect("JSON")
}

#[test]
fn a_minimal_configuration_plans_with_secure_defaults() {
    let p = planned(minimal());
    let e = &p.expansion;
    assert_eq!(
        p.config["handler"][0],
        json!({
            "filename": "consumer.zip", "s3_bucket": null, "s3_key": null,
            "runtime": "python3.12", "handler": "app.handler", "architecture": "arm64",
            "memory_size": 256, "timeout": 30, "reserved_concurrency": 10,
            "batch_size": 10, "batch_window": 0, "environment": null
        })
    );
    assert_eq!(p.config["log_retention_days"], 30);
    // Blocks the user did not write stay absent in the planned configuration.
    assert_eq!(p.config["queue"], Value::Null);
    assert_eq!(p.config["edge"], Value::Null);
    // ... but the expansion uses their defaults.
    assert_eq!(attr(e, QUEUE, "visibility_timeout_seconds"), &Expr::int(180));
    assert_eq!(attr(e, QUEUE, "message_retention_seconds"), &Expr::int(345_600));
    assert_eq!(attr(e, QUEUE, "sqs_managed_sse_enabled"), &Expr::Bool(true));
    let redrive = document(e, QUEUE, "redrive_policy");
    assert_eq!(redrive["maxReceiveCount"], 5);
    assert_eq!(attr(e, QUEUE, "name"), &Expr::str("orders-queue"));
    assert_eq!(attr(e, TABLE, "billing_mode"), &Expr::str("PAY_PER_REQUEST"));
    assert_eq!(attr(e, TABLE, "deletion_protection_enabled"), &Expr::Bool(true));
    assert_eq!(
        block(e, TABLE, "point_in_time_recovery").get("enabled"),
        Some(&Expr::Bool(true))
    );
    assert_eq!(attr(e, BUCKET, "bucket"), &Expr::str("orders-payloads"));
    assert_eq!(attr(e, CONSUMER, "reserved_concurrent_executions"), &Expr::int(10));
    assert_eq!(
        attr(e, CONSUMER, "architectures"),
        &Expr::List(vec![Expr::str("arm64")])
    );
    assert_eq!(
        block(e, CONSUMER, "tracing_config").get("mode"),
        Some(&Expr::str("Active"))
    );
    assert_eq!(
        attr(e, "aws_sns_topic.events", "kms_master_key_id"),
        &Expr::reference("aws_kms_key.events", "arn")
    );
    let key_policy = attr(e, "aws_kms_key.events", "policy").to_hcl();
    assert!(key_policy.contains("cloudwatch.amazonaws.com"), "{key_policy}");
    assert_eq!(attr(e, ROUTE, "authorization_type"), &Expr::str("JWT"));
    let stage = block(e, STAGE, "default_route_settings");
    assert_eq!(stage.get("throttling_rate_limit"), Some(&Expr::int(100)));
    assert!(
        component(e, STAGE)
            .body
            .blocks_named("access_log_settings")
            .next()
            .is_some()
    );
    for a in [WEB_ACL, DISTRIBUTION] {
        assert!(e.component(a).is_none(), "{a} without an edge block");
    }
    assert_eq!(
        e.outputs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        output_names()
    );
    let outputs: BTreeMap<&str, &Expr> = e.outputs.iter().map(|(n, x)| (n.as_str(), x)).collect();
    assert_eq!(outputs["distribution_domain"], &Expr::Null);
    assert_eq!(outputs["queue_arn"], &Expr::reference(QUEUE, "arn"));
    assert_eq!(outputs["user_pool_id"], &Expr::reference(USER_POOL, "id"));
    assert!(e.waves().is_ok());
}

#[test]
fn every_schema_default_is_what_the_plan_fills_in() {
    // Every block written but empty: each defaulted attribute must come back with its default.
    let mut config = minimal();
    for b in ["queue", "table", "bucket", "api", "edge", "notifications", "alarms"] {
        config[b] = json!({});
    }
    let p = planned(config);
    let s = schema();
    let mut checked = 0;
    let mut check = |schema: &crate::Schema, filled: &Value, path: &str| {
        let filled = if filled.is_array() { &filled[0] } else { filled };
        for a in schema.attributes.iter().filter(|a| a.presence == Presence::Defaulted) {
            let Some(default) = &a.default else { continue };
            let note = default.is_string() && a.ty != crate::Type::String;
            if !note {
                assert_eq!(&filled[&a.name], default, "{path}.{}", a.name);
                checked += 1;
            }
        }
    };
    check(&s, &p.config, "");
    for b in &s.blocks {
        check(&b.schema, &p.config[&b.name], &b.name);
    }
    assert!(checked > 30, "{checked}");
    // The derived default is filled in too.
    assert_eq!(p.config["queue"]["visibility_timeout_seconds"], 180);
}

#[test]
fn validation_errors_point_at_the_attribute() {
    let mut c = minimal();
    c["handler"]["timeout"] = json!(0);
    c["handler"]["memory_size"] = json!(100);
    c["handler"]["batch_size"] = json!(20_000);
    c["handler"]["architecture"] = json!("sparc");
    assert_eq!(
        error_paths(c),
        [
            "handler[0].architecture",
            "handler[0].memory_size",
            "handler[0].timeout",
            "handler[0].batch_size"
        ]
    );

    let mut c = minimal();
    c["handler"]["timeout"] = json!(60);
    c["queue"] = json!({ "visibility_timeout_seconds": 300 });
    let e = errors(c);
    assert_eq!(e[0].0, "queue.visibility_timeout_seconds");
    assert!(
        e[0].1
            .contains("at least 6 × handler.timeout + handler.batch_window = 360"),
        "{}",
        e[0].1
    );

    for bad in ["Orders", "1orders", "orders-", "orders_api", "", "xn--orders"] {
        let mut c = minimal();
        c["name"] = json!(bad);
        assert_eq!(error_paths(c), ["name"], "{bad:?}");
    }
    let mut c = minimal();
    c["name"] = json!("a".repeat(55));
    assert_eq!(error_paths(c), ["name"]);
    let mut c = minimal();
    c["name"] = json!("a".repeat(54));
    assert!(plan(&c).is_ok());

    assert_eq!(error_paths(json!({ "handler": { "filename": "x.zip" } })), ["name"]);
    assert_eq!(error_paths(json!({ "name": "orders" })), ["handler"]);
    assert_eq!(error_paths(json!({ "name": "orders", "handler": {} })), ["handler"]);
    assert_eq!(
        error_paths(json!({ "name": "orders", "handler": { "s3_bucket": "code" } })),
        ["handler[0].s3_key"]
    );
    assert_eq!(
        error_paths(json!({ "name": "o", "handler": { "filename": "f.zip", "s3_bucket": "b", "s3_key": "k" } })),
        ["handler[0].filename"]
    );

    let mut c = minimal();
    c["handler"]["batch_size"] = json!(100);
    assert_eq!(error_paths(c), ["handler[0].batch_window"]);

    let mut c = minimal();
    c["handler"]["environment"] = json!({ "TABLE_NAME": "x", "AWS_REGION": "y", "ok_name": "z" });
    assert_eq!(
        error_paths(c),
        [
            r#"handler[0].environment["TABLE_NAME"]"#,
            r#"handler[0].environment["AWS_REGION"]"#
        ]
    );

    let mut c = minimal();
    c["tags"] = json!({ "aws:owner": "x", "wellarch:component": "y", "team": "z" });
    assert_eq!(
        error_paths(c),
        [r#"tags["aws:owner"]"#, r#"tags["wellarch:component"]"#]
    );

    let mut c = minimal();
    c["log_retention_days"] = json!(31);
    c["table"] = json!({ "hash_key": "id", "range_key": "id", "hash_key_type": "X" });
    c["api"] = json!({ "auth": "basic", "route_key": "post messages" });
    assert_eq!(
        error_paths(c),
        [
            "log_retention_days",
            "table.hash_key_type",
            "table.range_key",
            "api.auth",
            "api.route_key"
        ]
    );

    let mut c = minimal();
    c["edge"] = json!({ "domain_name": "api.example.com", "zone_id": "Z1" });
    assert_eq!(error_paths(c), ["edge.acm_certificate_arn"]);
    let mut c = minimal();
    c["edge"] = json!({
        "acm_certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/x",
        "default_ttl": 600, "max_ttl": 60, "rate_limit": 5
    });
    let e = errors(c);
    assert_eq!(
        e.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["edge.acm_certificate_arn", "edge.rate_limit", "edge.max_ttl"]
    );
    assert!(e[0].1.contains("us-east-1"), "{}", e[0].1);

    let mut c = minimal();
    c["notifications"] = json!({ "subscription": [
        { "protocol": "email", "endpoint": "a@example.com" },
        { "protocol": "https", "endpoint": "http://hooks.example.com" },
        { "protocol": "http", "endpoint": "http://x" },
        { "endpoint": "x" },
    ]});
    assert_eq!(
        error_paths(c),
        [
            "notifications.subscription[1].endpoint",
            "notifications.subscription[2].protocol",
            "notifications.subscription[3].protocol"
        ]
    );

    let mut c = minimal();
    c["alarms"] = json!({ "period": 90, "evaluation_periods": 0, "dlq_depth_threshold": -1 });
    assert_eq!(
        error_paths(c),
        [
            "alarms.period",
            "alarms.evaluation_periods",
            "alarms.dlq_depth_threshold"
        ]
    );

    let mut c = minimal();
    c["handler"]["timeout"] = json!("thirty");
    c["queue"] = json!({ "max_receive_count": 2.5, "typo": 1 });
    c["bucket"] = json!({ "name": "Payloads" });
    let e = errors(c);
    assert_eq!(
        e,
        [
            ("handler[0].timeout".to_string(), "must be a number".to_string()),
            (
                "queue.max_receive_count".to_string(),
                "must be a whole number, not 2.5".to_string()
            ),
            ("queue.typo".to_string(), "is not an argument of this block".to_string()),
            (
                "bucket.name".to_string(),
                "\"Payloads\" is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, \
                 starting and ending with a letter or digit, not an IP address"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn provider_and_computed_attributes_are_not_configuration() {
    let mut c = minimal();
    c["id"] = json!("orders");
    c["components"] = json!({});
    c["drift"] = json!([]);
    c["queue_arn"] = json!("arn:aws:sqs:eu-west-1:1:orders-queue");
    let p = planned(c);
    for k in ["id", "components", "drift", "queue_arn"] {
        assert!(p.config.get(k).is_none(), "{k}");
    }
}

/// Every document names its own components; the one `*` is X-Ray's, which has no
/// resource-level permissions (and active tracing needs it).
#[test]
fn policies_are_least_privilege() {
    let e = planned(minimal()).expansion;
    let consumer = document(&e, CONSUMER_POLICY, "policy");
    let mut by_sid: BTreeMap<String, (Vec<String>, Value)> = BTreeMap::new();
    for s in consumer["Statement"].as_array().expect("statements") {
        assert_eq!(s["Effect"], "Allow");
        let actions = s["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .map(|a| a.as_str().expect("string").to_string())
            .collect::<Vec<_>>();
        assert!(actions.iter().all(|a| !a.contains('*')), "{actions:?}");
        by_sid.insert(s["Sid"].as_str().expect("sid").into(), (actions, s["Resource"].clone()));
    }
    let arn = |c: &str| fake(&Ref::new(c, "arn")).expect("arn");
    let expected: BTreeMap<String, (Vec<String>, Value)> = [
        (
            "ConsumeQueue",
            vec![
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            ],
            arn(QUEUE),
        ),
        (
            "WriteTable",
            vec!["dynamodb:PutItem", "dynamodb:UpdateItem"],
            arn(TABLE),
        ),
        (
            "WritePayloads",
            vec!["s3:PutObject"],
            json!(format!("{}/*", arn(BUCKET).as_str().unwrap_or_default())),
        ),
        ("PublishEvents", vec!["sns:Publish"], arn(TOPIC)),
        (
            "EncryptEvents",
            vec!["kms:GenerateDataKey", "kms:Decrypt"],
            arn("aws_kms_key.events"),
        ),
        (
            "WriteLogs",
            vec!["logs:CreateLogStream", "logs:PutLogEvents"],
            json!(format!("{}:*", arn(CONSUMER_LOGS).as_str().unwrap_or_default())),
        ),
        (
            "WriteTraces",
            vec!["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            json!("*"),
        ),
    ]
    .into_iter()
    .map(|(sid, actions, resource)| {
        (
            sid.to_string(),
            (actions.into_iter().map(str::to_string).collect(), resource),
        )
    })
    .collect();
    assert_eq!(by_sid, expected);
    // Only X-Ray's statement has a `*` resource.
    let wildcard: Vec<&String> = by_sid.iter().filter(|(_, (_, r))| r == "*").map(|(s, _)| s).collect();
    assert_eq!(wildcard, ["WriteTraces"]);

    let api = document(&e, API_POLICY, "policy");
    assert_eq!(
        api["Statement"],
        json!([{ "Sid": "SendToQueue", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": arn(QUEUE) }])
    );
    // The policies reference the components, so they follow them if they are replaced.
    let refs: BTreeSet<&str> = attr(&e, CONSUMER_POLICY, "policy")
        .refs()
        .into_iter()
        .map(|r| r.component.as_str())
        .collect();
    assert_eq!(
        refs,
        [QUEUE, TABLE, BUCKET, TOPIC, "aws_kms_key.events", CONSUMER_LOGS]
            .into_iter()
            .collect()
    );
}

#[test]
fn customer_managed_keys_are_granted_by_arn() {
    let mut c = minimal();
    c["bucket"] = json!({ "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/abc" });
    c["notifications"] = json!({ "kms_master_key_id": "arn:aws:kms:eu-west-1:123456789012:key/def" });
    let e = planned(c).expansion;
    let doc = document(&e, CONSUMER_POLICY, "policy");
    let resources: Vec<&Value> = doc["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter(|s| s["Sid"].as_str().is_some_and(|s| s.starts_with("Encrypt")))
        .map(|s| &s["Resource"])
        .collect();
    assert_eq!(
        resources,
        [
            "arn:aws:kms:eu-west-1:123456789012:key/abc",
            "arn:aws:kms:eu-west-1:123456789012:key/def"
        ]
    );
    let sse = block(
        &e,
        "aws_s3_bucket_server_side_encryption_configuration.payloads",
        "rule",
    );
    let by_default = sse
        .blocks_named("apply_server_side_encryption_by_default")
        .next()
        .expect("by default");
    assert_eq!(
        by_default.get("kms_master_key_id"),
        Some(&Expr::str("arn:aws:kms:eu-west-1:123456789012:key/abc"))
    );
}

fn edge_config() -> Value {
    let mut c = minimal();
    c["edge"] = json!({
        "domain_name": "api.example.com",
        "zone_id": "Z0123456789",
        "acm_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    });
    c
}

#[test]
fn the_edge_block_adds_waf_cloudfront_and_alias_records() {
    let e = planned(edge_config()).expansion;
    let acl = component(&e, WEB_ACL);
    assert_eq!(acl.region.as_deref(), Some("us-east-1"));
    assert_eq!(attr(&e, WEB_ACL, "scope"), &Expr::str("CLOUDFRONT"));
    let rules: Vec<&Body> = acl.body.blocks_named("rule").collect();
    assert_eq!(rules.len(), 1 + DEFAULT_RULE_GROUPS.len());
    assert!(rules[0].blocks_named("statement").next().is_some_and(|s| {
        s.blocks_named("rate_based_statement")
            .next()
            .is_some_and(|r| r.get("limit") == Some(&Expr::int(2000)))
    }));
    // Every component except the web ACL stays in the provider's region.
    let pinned: Vec<String> = e
        .components
        .iter()
        .filter(|c| c.region.is_some())
        .map(Component::address)
        .collect();
    assert_eq!(pinned, [WEB_ACL]);

    assert_eq!(attr(&e, DISTRIBUTION, "web_acl_id"), &Expr::reference(WEB_ACL, "arn"));
    assert_eq!(
        attr(&e, DISTRIBUTION, "aliases"),
        &Expr::List(vec![Expr::str("api.example.com")])
    );
    let origin = block(&e, DISTRIBUTION, "origin");
    assert_eq!(
        origin.resolve(&fake).expect("resolves")["domain_name"],
        "abc123.execute-api.eu-west-1.amazonaws.com"
    );
    let cert = block(&e, DISTRIBUTION, "viewer_certificate");
    assert_eq!(cert.get("minimum_protocol_version"), Some(&Expr::str("TLSv1.2_2021")));
    let behavior = block(&e, DISTRIBUTION, "default_cache_behavior");
    assert_eq!(behavior.get("viewer_protocol_policy"), Some(&Expr::str("https-only")));
    for (record, kind) in [
        ("aws_route53_record.edge_ipv4", "A"),
        ("aws_route53_record.edge_ipv6", "AAAA"),
    ] {
        assert_eq!(attr(&e, record, "type"), &Expr::str(kind));
        assert_eq!(
            block(&e, record, "alias").get("name"),
            Some(&Expr::reference(DISTRIBUTION, "domain_name"))
        );
    }
    let outputs: BTreeMap<&str, &Expr> = e.outputs.iter().map(|(n, x)| (n.as_str(), x)).collect();
    assert_eq!(
        outputs["distribution_domain"],
        &Expr::reference(DISTRIBUTION, "domain_name")
    );

    // Without a domain: no records, CloudFront's own certificate.
    let mut c = minimal();
    c["edge"] = json!({});
    let e = planned(c).expansion;
    assert!(e.component(DISTRIBUTION).is_some());
    assert!(!addresses(&e).iter().any(|a| a.starts_with("aws_route53_record.")));
    assert_eq!(
        block(&e, DISTRIBUTION, "viewer_certificate").get("cloudfront_default_certificate"),
        Some(&Expr::Bool(true))
    );
}

#[test]
fn waves_create_dependencies_first() {
    let e = planned(edge_config()).expansion;
    let waves = e.waves().expect("acyclic");
    let wave_of = |address: &str| -> usize {
        let i = e
            .components
            .iter()
            .position(|c| c.address() == address)
            .unwrap_or_else(|| panic!("no {address}"));
        waves.iter().position(|w| w.contains(&i)).expect("placed")
    };
    let before = |a: &str, b: &str| assert!(wave_of(a) < wave_of(b), "{a} must come before {b}");
    before(CONSUMER_ROLE, CONSUMER);
    before(CONSUMER_POLICY, CONSUMER);
    before(CONSUMER_LOGS, CONSUMER);
    before(CONSUMER_POLICY, "aws_lambda_event_source_mapping.jobs");
    before(CONSUMER, "aws_lambda_event_source_mapping.jobs");
    before(DLQ, QUEUE);
    for child in [
        "aws_s3_bucket_versioning.payloads",
        "aws_s3_bucket_server_side_encryption_configuration.payloads",
        "aws_s3_bucket_public_access_block.payloads",
        "aws_s3_bucket_lifecycle_configuration.payloads",
    ] {
        before(BUCKET, child);
    }
    before(BUCKET_VERSIONING, "aws_s3_bucket_lifecycle_configuration.payloads");
    before(WEB_ACL, DISTRIBUTION);
    before(API, DISTRIBUTION);
    before(DISTRIBUTION, "aws_route53_record.edge_ipv4");
    before(DISTRIBUTION, "aws_route53_record.edge_ipv6");
    before(API_POLICY, INTEGRATION);
    before(USER_POOL_CLIENT, AUTHORIZER);
    before(INTEGRATION, ROUTE);
    before(AUTHORIZER, ROUTE);
    before(ROUTE, STAGE);
    before(API_LOGS, STAGE);
    before(TOPIC, "aws_cloudwatch_metric_alarm.dlq_depth");
    before(CONSUMER, "aws_cloudwatch_metric_alarm.lambda_errors");
}

#[test]
fn auth_modes_shape_the_api() {
    for (auth, authorization) in [("iam", "AWS_IAM"), ("none", "NONE")] {
        let mut c = minimal();
        c["api"] = json!({ "auth": auth, "access_logs": false });
        let e = planned(c).expansion;
        assert_eq!(attr(&e, ROUTE, "authorization_type"), &Expr::str(authorization));
        assert!(component(&e, ROUTE).body.get("authorizer_id").is_none());
        for a in [USER_POOL, USER_POOL_CLIENT, AUTHORIZER, API_LOGS] {
            assert!(e.component(a).is_none(), "{a} with auth = {auth}");
        }
        assert!(
            component(&e, STAGE)
                .body
                .blocks_named("access_log_settings")
                .next()
                .is_none()
        );
        let outputs: BTreeMap<&str, &Expr> = e.outputs.iter().map(|(n, x)| (n.as_str(), x)).collect();
        assert_eq!(outputs["user_pool_id"], &Expr::Null);
        assert!(e.waves().is_ok());
    }
}

#[test]
fn unknown_values_plan_without_errors() {
    let c = json!({
        "name": unknown(),
        "log_retention_days": unknown(),
        "tags": unknown(),
        "handler": { "filename": unknown(), "timeout": unknown(), "environment": { "MODE": unknown() } },
        "table": { "range_key": unknown(), "point_in_time_recovery": unknown() },
        "api": { "auth": unknown(), "throttling_rate_limit": unknown() },
        "edge": [unknown()],
        "notifications": { "subscription": [unknown()] },
    });
    let p = planned(c);
    let e = &p.expansion;
    assert_eq!(attr(e, QUEUE, "name"), &Expr::Unknown);
    assert_eq!(attr(e, CONSUMER, "filename"), &Expr::Unknown);
    assert_eq!(attr(e, CONSUMER, "timeout"), &Expr::Unknown);
    assert_eq!(attr(e, QUEUE, "visibility_timeout_seconds"), &Expr::Unknown);
    assert_eq!(attr(e, QUEUE, "tags"), &Expr::Unknown);
    assert_eq!(
        block(e, TABLE, "point_in_time_recovery").get("enabled"),
        Some(&Expr::Unknown)
    );
    // Shapes that depend on unknowns use the defaults: cognito, no sort key, no edge, no subscriptions.
    assert!(e.component(USER_POOL).is_some());
    assert!(component(e, TABLE).body.get("range_key").is_none());
    assert!(e.component(DISTRIBUTION).is_none());
    assert!(
        !addresses(e)
            .iter()
            .any(|a| a.starts_with("aws_sns_topic_subscription."))
    );
    // The planned configuration keeps the unknowns.
    assert!(crate::is_unknown(&p.config["name"]));
    assert!(p.config["queue"].is_null());
    assert_eq!(attr(e, CONSUMER, "function_name"), &Expr::Unknown);
    assert!(e.waves().is_ok());
    assert!(e.to_hcl().contains("known after apply"));

    // A known timeout with an unknown window still gives an unknown derived default.
    let mut c = minimal();
    c["handler"]["batch_window"] = unknown();
    let p = planned(c);
    assert!(crate::is_unknown(&p.config["handler"][0]["batch_window"]));
    assert_eq!(attr(&p.expansion, QUEUE, "visibility_timeout_seconds"), &Expr::Unknown);

    // An unknown block: every value in it is unknown, the plan still succeeds.
    let mut c = minimal();
    c["handler"] = unknown();
    let p = planned(c);
    assert_eq!(attr(&p.expansion, CONSUMER, "memory_size"), &Expr::Unknown);
}

/// The contract with the drivers: each component uses only the attributes
/// `SPEC-components.md` lists for its type. The two entries marked EXTENSION are beyond that
/// table and need driver support (see the blueprint report).
#[test]
fn components_use_only_the_attributes_the_drivers_implement() {
    let spec: BTreeMap<&str, &[&str]> = BTreeMap::from([
        (
            "aws_sqs_queue",
            &[
                "name",
                "visibility_timeout_seconds",
                "message_retention_seconds",
                "receive_wait_time_seconds",
                "sqs_managed_sse_enabled",
                "redrive_policy",
                "redrive_allow_policy",
                "tags",
            ][..],
        ),
        ("aws_sns_topic", &["name", "kms_master_key_id", "tags"][..]),
        ("aws_sns_topic_subscription", &["topic_arn", "protocol", "endpoint"][..]),
        (
            "aws_dynamodb_table",
            &[
                "name",
                "billing_mode",
                "hash_key",
                "range_key",
                "attribute",
                "point_in_time_recovery",
                "server_side_encryption",
                "deletion_protection_enabled",
                "tags",
            ][..],
        ),
        ("aws_s3_bucket", &["bucket", "force_destroy", "tags"][..]),
        ("aws_s3_bucket_versioning", &["bucket", "versioning_configuration"][..]),
        (
            "aws_s3_bucket_server_side_encryption_configuration",
            &["bucket", "rule"][..],
        ),
        (
            "aws_s3_bucket_public_access_block",
            &[
                "bucket",
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ][..],
        ),
        // EXTENSION: not in SPEC-components.md (COST002 needs a lifecycle on every bucket).
        ("aws_s3_bucket_lifecycle_configuration", &["bucket", "rule"][..]),
        (
            "aws_cloudwatch_log_group",
            &["name", "retention_in_days", "kms_key_id", "tags"][..],
        ),
        (
            "aws_kms_key",
            &[
                "description",
                "enable_key_rotation",
                "deletion_window_in_days",
                "policy",
                "tags",
            ][..],
        ),
        (
            "aws_cloudwatch_metric_alarm",
            &[
                "alarm_name",
                "alarm_description",
                "namespace",
                "metric_name",
                "dimensions",
                "statistic",
                "period",
                "evaluation_periods",
                "threshold",
                "comparison_operator",
                "treat_missing_data",
                "alarm_actions",
                "ok_actions",
                "tags",
            ][..],
        ),
        (
            "aws_iam_role",
            &["name", "assume_role_policy", "description", "tags"][..],
        ),
        ("aws_iam_role_policy", &["name", "role", "policy"][..]),
        // EXTENSION: `architectures` is not in SPEC-components.md (SUS001 needs arm64).
        (
            "aws_lambda_function",
            &[
                "function_name",
                "role",
                "runtime",
                "handler",
                "filename",
                "s3_bucket",
                "s3_key",
                "memory_size",
                "timeout",
                "reserved_concurrent_executions",
                "environment",
                "tracing_config",
                "tags",
                "architectures",
            ][..],
        ),
        (
            "aws_lambda_event_source_mapping",
            &[
                "event_source_arn",
                "function_name",
                "batch_size",
                "maximum_batching_window_in_seconds",
                "function_response_types",
                "enabled",
            ][..],
        ),
        (
            "aws_cognito_user_pool",
            &[
                "name",
                "password_policy",
                "mfa_configuration",
                "software_token_mfa_configuration",
                "auto_verified_attributes",
                "tags",
            ][..],
        ),
        (
            "aws_cognito_user_pool_client",
            &[
                "name",
                "user_pool_id",
                "generate_secret",
                "explicit_auth_flows",
                "prevent_user_existence_errors",
                "access_token_validity",
                "id_token_validity",
                "refresh_token_validity",
            ][..],
        ),
        (
            "aws_apigatewayv2_api",
            &["name", "protocol_type", "description", "tags"][..],
        ),
        (
            "aws_apigatewayv2_authorizer",
            &[
                "api_id",
                "authorizer_type",
                "name",
                "identity_sources",
                "jwt_configuration",
            ][..],
        ),
        (
            "aws_apigatewayv2_integration",
            &[
                "api_id",
                "integration_type",
                "integration_subtype",
                "credentials_arn",
                "request_parameters",
                "payload_format_version",
                "timeout_milliseconds",
            ][..],
        ),
        (
            "aws_apigatewayv2_route",
            &["api_id", "route_key", "target", "authorization_type", "authorizer_id"][..],
        ),
        (
            "aws_apigatewayv2_stage",
            &[
                "api_id",
                "name",
                "auto_deploy",
                "default_route_settings",
                "access_log_settings",
                "tags",
            ][..],
        ),
        (
            "aws_wafv2_web_acl",
            &[
                "name",
                "scope",
                "description",
                "default_action",
                "rule",
                "visibility_config",
                "tags",
            ][..],
        ),
        (
            "aws_cloudfront_distribution",
            &[
                "enabled",
                "comment",
                "price_class",
                "http_version",
                "is_ipv6_enabled",
                "aliases",
                "origin",
                "default_cache_behavior",
                "restrictions",
                "viewer_certificate",
                "web_acl_id",
                "tags",
            ][..],
        ),
        (
            "aws_route53_record",
            &["zone_id", "name", "type", "alias", "ttl", "records"][..],
        ),
    ]);
    let mut c = edge_config();
    c["notifications"] = json!({ "subscription": [{ "protocol": "email", "endpoint": "a@example.com" }] });
    c["tags"] = json!({ "team": "orders" });
    c["table"] = json!({ "range_key": "sk" });
    let e = planned(c).expansion;
    for comp in e.components.iter().filter(|c| c.is_managed()) {
        let allowed = spec
            .get(comp.resource_type.as_str())
            .unwrap_or_else(|| panic!("{} is not a component type the drivers know", comp.resource_type));
        for name in comp
            .body
            .attributes
            .iter()
            .map(|(n, _)| n)
            .chain(comp.body.blocks.iter().map(|(n, _)| n))
        {
            assert!(allowed.contains(&name.as_str()), "{}: {name}", comp.address());
        }
    }
}

#[test]
fn the_expansion_renders_as_terraform() {
    let hcl = planned(edge_config()).expansion.to_hcl();
    assert!(hcl.contains("resource \"aws_sqs_queue\" \"jobs\" {"), "{hcl}");
    assert!(hcl.contains("provider = aws.us_east_1"));
    assert!(hcl.contains("domain_name = trimprefix(aws_apigatewayv2_api.http.api_endpoint, \"https://\")"));
    assert!(hcl.contains("depends_on = [aws_iam_role_policy.consumer, aws_cloudwatch_log_group.consumer]"));
}
