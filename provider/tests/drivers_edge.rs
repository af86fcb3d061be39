//! The edge drivers (API Gateway v2, WAFv2, CloudFront, Route 53) against a real moto
//! server: basic (create, read, delete), update, disappears (deleted out of band) and drift
//! (changed out of band) for each, plus WAF's us-east-1 rule for CLOUDFRONT scope.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::driver_kit::{assert_gone, assert_reads_as, driver, obj, read, string as s, tag};
use common::proxy::Request;
use serde_json::{Map, Value, json};
use terraform_provider_wellarch::aws::{self, AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx};

const REGION: &str = "us-east-1";
const COMPOSITE: &str = "wellarch_burst_tolerant_api.test";

/// The moto-backed environment, or `None` (test skipped) when moto is not installed.
async fn env(region: &str) -> Option<AwsEnv> {
    let moto = common::moto()?;
    Some(common::aws_env(moto, region).await)
}

fn ctx_tags(component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (COMPOSITE_TAG.to_string(), COMPOSITE.to_string()),
        (COMPONENT_TAG.to_string(), component.to_string()),
        ("team".to_string(), "edge".to_string()),
    ])
}

fn ctx<'a>(
    env: &'a AwsEnv,
    region: Option<&'a str>,
    tags: &'a BTreeMap<String, String>,
    component: &'a str,
) -> ChildCtx<'a> {
    ChildCtx {
        env,
        region,
        tags,
        composite: COMPOSITE,
        component,
    }
}

// ---------------------------------------------------------------- API Gateway v2

fn apigw(env: &AwsEnv) -> aws_sdk_apigatewayv2::Client {
    aws_sdk_apigatewayv2::Client::new(&env.config("apigatewayv2", None))
}

fn api_desired(name: &str) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "protocol_type": "HTTP",
        "description": "orders API",
        "tags": {"Name": name},
    }))
}

/// A parent API made with the SDK, for the children's tests.
async fn parent_api(env: &AwsEnv) -> String {
    let out = apigw(env)
        .create_api()
        .name(common::unique("parent"))
        .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
        .send()
        .await
        .expect("CreateApi");
    out.api_id().expect("api id").to_string()
}

#[tokio::test]
async fn apigatewayv2_api_basic() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_api.http");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_api.http");
    let d = driver("aws_apigatewayv2_api");
    let desired = api_desired(&common::unique("api"));

    let state = d.create(&c, &desired).await.expect("create");
    let id = s(&state, "id").to_string();
    assert_eq!(s(&state, "arn"), format!("arn:aws:apigateway:us-east-1::/apis/{id}"));
    assert_eq!(
        s(&state, "api_endpoint"),
        format!("https://{id}.execute-api.us-east-1.amazonaws.com")
    );
    assert_eq!(
        s(&state, "execution_arn"),
        format!("arn:aws:execute-api:us-east-1:123456789012:{id}")
    );

    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);
    assert_eq!(got.get("api_endpoint"), state.get("api_endpoint"));
    // The context's tags are applied too, but `tags` reads back as the component's own.
    assert_eq!(tag(&got, "tags_all", COMPOSITE_TAG), Some(COMPOSITE));
    assert_eq!(tag(&got, "tags_all", "team"), Some("edge"));
    assert_eq!(tag(&got, "tags", "team"), None);

    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
    assert_eq!(d.replace_on(), &["protocol_type"]);
}

#[tokio::test]
async fn apigatewayv2_api_update() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_api.http");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_api.http");
    let d = driver("aws_apigatewayv2_api");
    let state = d
        .create(&c, &api_desired(&common::unique("api")))
        .await
        .expect("create");

    let mut desired = api_desired(&common::unique("renamed"));
    desired.insert("description".into(), json!("orders API v2"));
    desired.insert("tags".into(), json!({"Name": "renamed", "tier": "edge"}));
    let next = d.update(&c, &state, &desired).await.expect("update");
    assert_eq!(next.get("id"), state.get("id"));

    let got = read(d, &c, &next).await;
    assert_reads_as(&got, &desired);
    assert_eq!(tag(&got, "tags_all", "tier"), Some("edge"));
    d.delete(&c, &next).await.expect("delete");
}

#[tokio::test]
async fn apigatewayv2_api_disappears() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_api.http");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_api.http");
    let d = driver("aws_apigatewayv2_api");
    let state = d
        .create(&c, &api_desired(&common::unique("api")))
        .await
        .expect("create");

    apigw(&env)
        .delete_api()
        .api_id(s(&state, "id"))
        .send()
        .await
        .expect("DeleteApi");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state).await.expect("delete of a vanished API succeeds");
}

#[tokio::test]
async fn apigatewayv2_api_drift() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_api.http");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_api.http");
    let d = driver("aws_apigatewayv2_api");
    let desired = api_desired(&common::unique("api"));
    let state = d.create(&c, &desired).await.expect("create");

    let sdk = apigw(&env);
    sdk.update_api()
        .api_id(s(&state, "id"))
        .description("changed by hand")
        .send()
        .await
        .expect("UpdateApi");
    sdk.tag_resource()
        .resource_arn(s(&state, "arn"))
        .tags("owner", "someone-else")
        .send()
        .await
        .expect("TagResource");

    let got = read(d, &c, &state).await;
    assert_eq!(got.get("description"), Some(&json!("changed by hand")));
    assert_eq!(tag(&got, "tags", "owner"), Some("someone-else"));
    assert_eq!(got.get("name"), desired.get("name"));

    // Updating back to the desired attributes removes the drift.
    let fixed = d.update(&c, &got, &desired).await.expect("update");
    let again = read(d, &c, &fixed).await;
    assert_reads_as(&again, &desired);
    d.delete(&c, &fixed).await.expect("delete");
}

fn authorizer_desired(api_id: &str, name: &str) -> Map<String, Value> {
    obj(json!({
        "api_id": api_id,
        "authorizer_type": "JWT",
        "name": name,
        "identity_sources": ["$request.header.Authorization"],
        "jwt_configuration": [{
            "audience": ["orders-client", "orders-admin"],
            "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
        }],
    }))
}

#[tokio::test]
async fn apigatewayv2_authorizer_basic_and_update() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_authorizer.jwt");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_authorizer.jwt");
    let d = driver("aws_apigatewayv2_authorizer");
    let api = parent_api(&env).await;
    let desired = authorizer_desired(&api, "jwt");

    let state = d.create(&c, &desired).await.expect("create");
    assert!(!s(&state, "id").is_empty());
    assert_reads_as(&read(d, &c, &state).await, &desired);

    let mut changed = authorizer_desired(&api, "jwt-v2");
    changed.insert(
        "jwt_configuration".into(),
        json!([{"audience": ["orders-client"], "issuer": "https://issuer.example.com"}]),
    );
    changed.insert("identity_sources".into(), json!(["$request.header.X-Token"]));
    let next = d.update(&c, &state, &changed).await.expect("update");
    assert_reads_as(&read(d, &c, &next).await, &changed);

    d.delete(&c, &next).await.expect("delete");
    assert_gone(d, &c, &next).await;
    assert_eq!(d.replace_on(), &["api_id"]);
}

#[tokio::test]
async fn apigatewayv2_authorizer_disappears_and_drift() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_authorizer.jwt");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_authorizer.jwt");
    let d = driver("aws_apigatewayv2_authorizer");
    let api = parent_api(&env).await;
    let state = d.create(&c, &authorizer_desired(&api, "jwt")).await.expect("create");
    let sdk = apigw(&env);

    sdk.update_authorizer()
        .api_id(&api)
        .authorizer_id(s(&state, "id"))
        .name("renamed-by-hand")
        .send()
        .await
        .expect("UpdateAuthorizer");
    let got = read(d, &c, &state).await;
    assert_eq!(got.get("name"), Some(&json!("renamed-by-hand")));
    assert_eq!(got.get("identity_sources"), state.get("identity_sources"));

    sdk.delete_authorizer()
        .api_id(&api)
        .authorizer_id(s(&state, "id"))
        .send()
        .await
        .expect("DeleteAuthorizer");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state)
        .await
        .expect("delete of a vanished authorizer succeeds");

    // Deleting the parent API takes its children with it.
    let state = d.create(&c, &authorizer_desired(&api, "jwt")).await.expect("create");
    sdk.delete_api().api_id(&api).send().await.expect("DeleteApi");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state)
        .await
        .expect("delete under a vanished API succeeds");
}

fn integration_desired(api_id: &str) -> Map<String, Value> {
    obj(json!({
        "api_id": api_id,
        "integration_type": "AWS_PROXY",
        "integration_subtype": "SQS-SendMessage",
        "credentials_arn": "arn:aws:iam::123456789012:role/apigw-to-sqs",
        "request_parameters": {
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
            "MessageBody": "$request.body",
        },
        "payload_format_version": "1.0",
        "timeout_milliseconds": 10000,
    }))
}

#[tokio::test]
async fn apigatewayv2_integration_basic_and_update() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_integration.sqs");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_integration.sqs");
    let d = driver("aws_apigatewayv2_integration");
    let api = parent_api(&env).await;
    let desired = integration_desired(&api);

    let state = d.create(&c, &desired).await.expect("create");
    assert_reads_as(&read(d, &c, &state).await, &desired);

    let mut changed = integration_desired(&api);
    changed.insert("timeout_milliseconds".into(), json!(5000));
    changed.insert(
        "credentials_arn".into(),
        json!("arn:aws:iam::123456789012:role/apigw-to-sqs-v2"),
    );
    // One parameter changed, one removed.
    changed.insert(
        "request_parameters".into(),
        json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-v2"}),
    );
    let next = d.update(&c, &state, &changed).await.expect("update");
    assert_reads_as(&read(d, &c, &next).await, &changed);

    d.delete(&c, &next).await.expect("delete");
    assert_gone(d, &c, &next).await;
    assert_eq!(d.replace_on(), &["api_id", "integration_type", "integration_subtype"]);
}

#[tokio::test]
async fn apigatewayv2_integration_disappears_and_drift() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_integration.sqs");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_integration.sqs");
    let d = driver("aws_apigatewayv2_integration");
    let api = parent_api(&env).await;
    let state = d.create(&c, &integration_desired(&api)).await.expect("create");
    let sdk = apigw(&env);

    sdk.update_integration()
        .api_id(&api)
        .integration_id(s(&state, "id"))
        .timeout_in_millis(29000)
        .send()
        .await
        .expect("UpdateIntegration");
    let got = read(d, &c, &state).await;
    assert_eq!(got.get("timeout_milliseconds"), Some(&json!(29000)));
    assert_eq!(got.get("request_parameters"), state.get("request_parameters"));

    sdk.delete_integration()
        .api_id(&api)
        .integration_id(s(&state, "id"))
        .send()
        .await
        .expect("DeleteIntegration");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state)
        .await
        .expect("delete of a vanished integration succeeds");
}

/// An API with an authorizer and an integration (made with the drivers) for route tests.
async fn route_parents(env: &AwsEnv) -> (String, String, String) {
    let tags = ctx_tags("parents");
    let c = ctx(env, None, &tags, "parents");
    let api = parent_api(env).await;
    let authorizer = driver("aws_apigatewayv2_authorizer")
        .create(&c, &authorizer_desired(&api, "jwt"))
        .await
        .expect("create authorizer");
    let integration = driver("aws_apigatewayv2_integration")
        .create(&c, &integration_desired(&api))
        .await
        .expect("create integration");
    (api, s(&authorizer, "id").to_string(), s(&integration, "id").to_string())
}

#[tokio::test]
async fn apigatewayv2_route_basic_and_update() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_route.post");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_route.post");
    let d = driver("aws_apigatewayv2_route");
    let (api, authorizer, integration) = route_parents(&env).await;
    let desired = obj(json!({
        "api_id": api,
        "route_key": "POST /orders",
        "target": format!("integrations/{integration}"),
        "authorization_type": "JWT",
        "authorizer_id": authorizer,
    }));

    let state = d.create(&c, &desired).await.expect("create");
    assert_reads_as(&read(d, &c, &state).await, &desired);

    // Opening the route: the authorizer goes away with the authorization.
    let changed = obj(json!({
        "api_id": api,
        "route_key": "POST /jobs",
        "target": format!("integrations/{integration}"),
        "authorization_type": "NONE",
    }));
    let next = d.update(&c, &state, &changed).await.expect("update");
    let got = read(d, &c, &next).await;
    assert_reads_as(&got, &changed);
    assert_eq!(
        got.get("authorizer_id"),
        Some(&json!("")),
        "authorizer cleared: {got:#?}"
    );

    d.delete(&c, &next).await.expect("delete");
    assert_gone(d, &c, &next).await;
    assert_eq!(d.replace_on(), &["api_id"]);
}

#[tokio::test]
async fn apigatewayv2_route_disappears_and_drift() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_route.post");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_route.post");
    let d = driver("aws_apigatewayv2_route");
    let (api, authorizer, integration) = route_parents(&env).await;
    let desired = obj(json!({
        "api_id": api,
        "route_key": "POST /orders",
        "target": format!("integrations/{integration}"),
        "authorization_type": "JWT",
        "authorizer_id": authorizer,
    }));
    let state = d.create(&c, &desired).await.expect("create");
    let sdk = apigw(&env);

    sdk.update_route()
        .api_id(&api)
        .route_id(s(&state, "id"))
        .route_key("GET /orders")
        .send()
        .await
        .expect("UpdateRoute");
    let got = read(d, &c, &state).await;
    assert_eq!(got.get("route_key"), Some(&json!("GET /orders")));
    assert_eq!(got.get("authorization_type"), Some(&json!("JWT")));

    sdk.delete_route()
        .api_id(&api)
        .route_id(s(&state, "id"))
        .send()
        .await
        .expect("DeleteRoute");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state).await.expect("delete of a vanished route succeeds");
}

fn stage_desired(api_id: &str, rate: f64, burst: i64) -> Map<String, Value> {
    obj(json!({
        "api_id": api_id,
        "name": "$default",
        "auto_deploy": true,
        "default_route_settings": [{
            "throttling_rate_limit": rate,
            "throttling_burst_limit": burst,
            "detailed_metrics_enabled": true,
        }],
        "access_log_settings": [{
            "destination_arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders",
            "format": "{\"requestId\":\"$context.requestId\",\"status\":\"$context.status\"}",
        }],
        "tags": {"Name": "orders-default"},
    }))
}

#[tokio::test]
async fn apigatewayv2_stage_basic() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_stage.default");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_stage.default");
    let d = driver("aws_apigatewayv2_stage");
    let api = parent_api(&env).await;
    // A whole number given as a float reads back as the same value.
    let desired = stage_desired(&api, 50.0, 100);
    let desired_int = {
        let mut m = desired.clone();
        m.insert(
            "default_route_settings".into(),
            json!([{"throttling_rate_limit": 50, "throttling_burst_limit": 100, "detailed_metrics_enabled": true}]),
        );
        m
    };

    let state = d.create(&c, &desired_int).await.expect("create");
    assert_eq!(s(&state, "id"), "$default");
    assert_eq!(
        s(&state, "arn"),
        format!("arn:aws:apigateway:us-east-1::/apis/{api}/stages/$default")
    );
    assert_eq!(
        s(&state, "invoke_url"),
        format!("https://{api}.execute-api.us-east-1.amazonaws.com/")
    );
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired_int);
    assert_eq!(
        tag(&got, "tags_all", COMPONENT_TAG),
        Some("aws_apigatewayv2_stage.default")
    );

    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
    assert_eq!(d.replace_on(), &["api_id", "name"]);

    // A named stage is served under its name.
    let mut named = stage_desired(&api, 12.5, 20);
    named.insert("name".into(), json!("v1"));
    let state = d.create(&c, &named).await.expect("create named");
    assert_eq!(
        s(&state, "invoke_url"),
        format!("https://{api}.execute-api.us-east-1.amazonaws.com/v1")
    );
    assert_reads_as(&read(d, &c, &state).await, &named);
    d.delete(&c, &state).await.expect("delete named");
}

/// moto 5.2.5 has neither UpdateStage (500) nor TagResource on a stage ARN (404). The
/// driver still makes those calls (it never pretends), so each update either succeeds and
/// reads back, or fails naming the call moto lacks.
#[tokio::test]
async fn apigatewayv2_stage_update() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_stage.default");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_stage.default");
    let d = driver("aws_apigatewayv2_stage");
    let api = parent_api(&env).await;
    let desired = stage_desired(&api, 50.0, 100);
    let state = d.create(&c, &desired).await.expect("create");

    // Nothing changed: no call is needed, and nothing changes.
    let same = d.update(&c, &state, &desired).await.expect("no-op update");
    assert_eq!(same.get("id"), state.get("id"));
    assert_reads_as(&read(d, &c, &same).await, &desired);

    let changed = stage_desired(&api, 75.0, 150);
    match d.update(&c, &state, &changed).await {
        Ok(next) => assert_reads_as(&read(d, &c, &next).await, &changed),
        Err(e) => assert!(e.message.starts_with("UpdateStage: "), "unexpected error: {e}"),
    }

    // Unchanged settings need no UpdateStage: a tags-only update goes through TagResource.
    let mut retagged = stage_desired(&api, 50.0, 100);
    retagged.insert("tags".into(), json!({"Name": "orders-default", "tier": "edge"}));
    match d.update(&c, &state, &retagged).await {
        Ok(next) => assert_eq!(tag(&read(d, &c, &next).await, "tags", "tier"), Some("edge")),
        Err(e) => assert!(e.message.starts_with("TagResource: "), "unexpected error: {e}"),
    }
    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
}

#[tokio::test]
async fn apigatewayv2_stage_disappears_and_drift() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_stage.default");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_stage.default");
    let d = driver("aws_apigatewayv2_stage");
    let api = parent_api(&env).await;
    let state = d.create(&c, &stage_desired(&api, 50.0, 100)).await.expect("create");
    let sdk = apigw(&env);

    // Replaced by hand with other throttling and no access logs.
    sdk.delete_stage()
        .api_id(&api)
        .stage_name("$default")
        .send()
        .await
        .expect("DeleteStage");
    sdk.create_stage()
        .api_id(&api)
        .stage_name("$default")
        .auto_deploy(true)
        .default_route_settings(
            aws_sdk_apigatewayv2::types::RouteSettings::builder()
                .throttling_rate_limit(1.5)
                .throttling_burst_limit(3)
                .detailed_metrics_enabled(true)
                .build(),
        )
        .tags("Name", "orders-default")
        .send()
        .await
        .expect("CreateStage");
    let got = read(d, &c, &state).await;
    assert_eq!(
        got.get("default_route_settings"),
        Some(&json!([{"throttling_rate_limit": 1.5, "throttling_burst_limit": 3, "detailed_metrics_enabled": true}]))
    );
    assert_eq!(got.get("access_log_settings"), Some(&json!([])));
    assert_eq!(got.get("auto_deploy"), Some(&json!(true)));

    sdk.delete_stage()
        .api_id(&api)
        .stage_name("$default")
        .send()
        .await
        .expect("DeleteStage");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state).await.expect("delete of a vanished stage succeeds");
}

// ---------------------------------------------------------------- WAFv2

fn waf(env: &AwsEnv, region: &str) -> aws_sdk_wafv2::Client {
    aws_sdk_wafv2::Client::new(&env.config("wafv2", Some(region)))
}

fn web_acl_desired(name: &str, limit: i64) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "scope": "CLOUDFRONT",
        "description": "edge protection",
        "default_action": [{"allow": [{}]}],
        "rule": [
            {
                "name": "aws-common",
                "priority": 1,
                "override_action": [{"none": [{}]}],
                "statement": [{"managed_rule_group_statement": [{
                    "name": "AWSManagedRulesCommonRuleSet",
                    "vendor_name": "AWS",
                }]}],
                "visibility_config": [{
                    "cloudwatch_metrics_enabled": true,
                    "metric_name": "aws-common",
                    "sampled_requests_enabled": true,
                }],
            },
            {
                "name": "rate-limit",
                "priority": 2,
                "action": [{"block": [{}]}],
                "statement": [{"rate_based_statement": [{
                    "limit": limit,
                    "aggregate_key_type": "IP",
                }]}],
                "visibility_config": [{
                    "cloudwatch_metrics_enabled": true,
                    "metric_name": "rate-limit",
                    "sampled_requests_enabled": false,
                }],
            },
        ],
        "visibility_config": [{
            "cloudwatch_metrics_enabled": true,
            "metric_name": name,
            "sampled_requests_enabled": true,
        }],
        "tags": {"Name": name},
    }))
}

#[tokio::test]
async fn wafv2_web_acl_basic() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_wafv2_web_acl.edge");
    let c = ctx(&env, Some("us-east-1"), &tags, "aws_wafv2_web_acl.edge");
    let d = driver("aws_wafv2_web_acl");
    let name = common::unique("acl");
    let desired = web_acl_desired(&name, 2000);

    let state = d.create(&c, &desired).await.expect("create");
    let id = s(&state, "id").to_string();
    assert_eq!(
        s(&state, "arn"),
        format!("arn:aws:wafv2:us-east-1:123456789012:global/webacl/{name}/{id}")
    );
    assert!(!s(&state, "lock_token").is_empty());
    assert_eq!(s(&state, "name"), name);

    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);
    assert_eq!(got.get("lock_token"), state.get("lock_token"));
    assert_eq!(tag(&got, "tags_all", COMPOSITE_TAG), Some(COMPOSITE));

    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
    assert_eq!(d.replace_on(), &["name", "scope"]);
}

#[tokio::test]
async fn wafv2_web_acl_update() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_wafv2_web_acl.edge");
    let c = ctx(&env, Some("us-east-1"), &tags, "aws_wafv2_web_acl.edge");
    let d = driver("aws_wafv2_web_acl");
    let name = common::unique("acl");
    let state = d.create(&c, &web_acl_desired(&name, 2000)).await.expect("create");

    let mut changed = web_acl_desired(&name, 500);
    changed.insert("description".into(), json!("tighter limits"));
    changed.insert("default_action".into(), json!([{"block": [{}]}]));
    changed.insert("tags".into(), json!({"Name": name, "tier": "edge"}));
    let next = d.update(&c, &state, &changed).await.expect("update");
    assert_ne!(
        next.get("lock_token"),
        state.get("lock_token"),
        "a new lock token after the update"
    );

    let got = read(d, &c, &next).await;
    assert_reads_as(&got, &changed);
    assert_eq!(got.get("lock_token"), next.get("lock_token"));

    // A stale lock token in the state does not block an update or a delete.
    let again = d
        .update(&c, &state, &web_acl_desired(&name, 1000))
        .await
        .expect("update from stale state");
    assert_reads_as(&read(d, &c, &again).await, &web_acl_desired(&name, 1000));
    d.delete(&c, &state).await.expect("delete with a stale lock token");
    assert_gone(d, &c, &state).await;
}

#[tokio::test]
async fn wafv2_web_acl_disappears_and_drift() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_wafv2_web_acl.edge");
    let c = ctx(&env, Some("us-east-1"), &tags, "aws_wafv2_web_acl.edge");
    let d = driver("aws_wafv2_web_acl");
    let name = common::unique("acl");
    let desired = web_acl_desired(&name, 2000);
    let state = d.create(&c, &desired).await.expect("create");
    let sdk = waf(&env, "us-east-1");
    let scope = aws_sdk_wafv2::types::Scope::Cloudfront;
    let current = |sdk: aws_sdk_wafv2::Client, name: String, id: String| async move {
        sdk.get_web_acl()
            .name(name)
            .scope(aws_sdk_wafv2::types::Scope::Cloudfront)
            .id(id)
            .send()
            .await
            .expect("GetWebACL")
    };

    // Drift: the default action flipped to block, the rate rule dropped.
    let acl = current(sdk.clone(), name.clone(), s(&state, "id").to_string()).await;
    let web_acl = acl.web_acl().expect("web acl");
    let kept: Vec<_> = web_acl
        .rules()
        .iter()
        .filter(|r| r.name == "aws-common")
        .cloned()
        .collect();
    sdk.update_web_acl()
        .name(&name)
        .scope(scope.clone())
        .id(s(&state, "id"))
        .lock_token(acl.lock_token().expect("lock token"))
        .default_action(
            aws_sdk_wafv2::types::DefaultAction::builder()
                .block(aws_sdk_wafv2::types::BlockAction::builder().build())
                .build(),
        )
        .set_rules(Some(kept))
        .set_visibility_config(web_acl.visibility_config().cloned())
        .send()
        .await
        .expect("UpdateWebACL");
    let got = read(d, &c, &state).await;
    assert_eq!(got.get("default_action"), Some(&json!([{"block": [{}]}])));
    let rules = got.get("rule").and_then(Value::as_array).expect("rules");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].get("name"), Some(&json!("aws-common")));
    assert_eq!(Some(&rules[0]), desired.get("rule").and_then(|r| r.get(0)));

    // Disappears: deleted by hand with the current lock token.
    let acl = current(sdk.clone(), name.clone(), s(&state, "id").to_string()).await;
    sdk.delete_web_acl()
        .name(&name)
        .scope(scope)
        .id(s(&state, "id"))
        .lock_token(acl.lock_token().expect("lock token"))
        .send()
        .await
        .expect("DeleteWebACL");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state).await.expect("delete of a vanished ACL succeeds");
}

/// moto accepts a CLOUDFRONT-scope ACL in any region; AWS does not, so the driver refuses.
#[tokio::test]
async fn wafv2_web_acl_cloudfront_scope_needs_us_east_1() {
    let Some(env) = env("eu-west-1").await else { return };
    let tags = ctx_tags("aws_wafv2_web_acl.edge");
    let d = driver("aws_wafv2_web_acl");
    let name = common::unique("acl");

    // The component's own region, and the provider's region when the component has none.
    for region in [Some("eu-west-1"), None] {
        let c = ctx(&env, region, &tags, "aws_wafv2_web_acl.edge");
        let err = d
            .create(&c, &web_acl_desired(&name, 2000))
            .await
            .expect_err("CLOUDFRONT scope outside us-east-1 must fail");
        assert!(err.message.contains("scope CLOUDFRONT"), "{err}");
        assert!(err.message.contains("us-east-1"), "{err}");
        assert!(err.message.contains("eu-west-1"), "{err}");
        assert!(err.message.contains("aws_wafv2_web_acl.edge"), "{err}");
    }
    // Nothing was created, in either place.
    for region in ["eu-west-1", "us-east-1"] {
        let listed = waf(&env, region)
            .list_web_acls()
            .scope(aws_sdk_wafv2::types::Scope::Cloudfront)
            .send()
            .await
            .expect("ListWebACLs");
        assert!(
            listed.web_acls().iter().all(|a| a.name() != Some(name.as_str())),
            "{listed:?}"
        );
    }

    // A REGIONAL ACL may live in eu-west-1.
    let c = ctx(&env, Some("eu-west-1"), &tags, "aws_wafv2_web_acl.edge");
    let mut regional = web_acl_desired(&name, 2000);
    regional.insert("scope".into(), json!("REGIONAL"));
    let state = d.create(&c, &regional).await.expect("create REGIONAL in eu-west-1");
    assert!(s(&state, "arn").starts_with("arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/"));
    d.delete(&c, &state).await.expect("delete");
}

#[tokio::test]
async fn wafv2_web_acl_rejects_unsupported_statements() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_wafv2_web_acl.edge");
    let c = ctx(&env, Some("us-east-1"), &tags, "aws_wafv2_web_acl.edge");
    let d = driver("aws_wafv2_web_acl");
    let mut desired = web_acl_desired(&common::unique("acl"), 2000);
    desired.insert(
        "rule".into(),
        json!([{
            "name": "geo",
            "priority": 1,
            "action": [{"block": [{}]}],
            "statement": [{"geo_match_statement": [{"country_codes": ["XX"]}]}],
            "visibility_config": [{"cloudwatch_metrics_enabled": false, "metric_name": "geo", "sampled_requests_enabled": false}],
        }]),
    );
    let err = d.create(&c, &desired).await.expect_err("unsupported statement");
    assert!(err.message.contains("geo_match_statement"), "{err}");
}

// ---------------------------------------------------------------- CloudFront

fn cloudfront(env: &AwsEnv) -> aws_sdk_cloudfront::Client {
    aws_sdk_cloudfront::Client::new(&env.config("cloudfront", None))
}

fn distribution_desired(comment: &str) -> Map<String, Value> {
    obj(json!({
        "enabled": true,
        "comment": comment,
        "price_class": "PriceClass_100",
        "http_version": "http2and3",
        "is_ipv6_enabled": true,
        "aliases": [],
        "origin": [{
            "domain_name": "abc123.execute-api.us-east-1.amazonaws.com",
            "origin_id": "api",
            "custom_origin_config": [{
                "http_port": 80,
                "https_port": 443,
                "origin_protocol_policy": "https-only",
                "origin_ssl_protocols": ["TLSv1.2"],
            }],
        }],
        "default_cache_behavior": [{
            "target_origin_id": "api",
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
            "cached_methods": ["GET", "HEAD"],
            "compress": true,
            "min_ttl": 0,
            "default_ttl": 0,
            "max_ttl": 0,
            "forwarded_values": [{
                "query_string": true,
                "headers": ["Authorization"],
                "cookies": [{"forward": "none"}],
            }],
        }],
        "restrictions": [{"geo_restriction": [{"restriction_type": "none", "locations": []}]}],
        "viewer_certificate": [{
            "cloudfront_default_certificate": true,
            "acm_certificate_arn": null,
            "ssl_support_method": null,
            "minimum_protocol_version": "TLSv1",
        }],
        "web_acl_id": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0000",
        "tags": {"Name": "orders-cdn"},
    }))
}

#[tokio::test]
async fn cloudfront_distribution_basic() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_cloudfront_distribution.cdn");
    let c = ctx(&env, None, &tags, "aws_cloudfront_distribution.cdn");
    let d = driver("aws_cloudfront_distribution");
    let desired = distribution_desired("orders CDN");

    let state = d.create(&c, &desired).await.expect("create");
    let id = s(&state, "id").to_string();
    assert_eq!(
        s(&state, "arn"),
        format!("arn:aws:cloudfront::123456789012:distribution/{id}")
    );
    assert!(s(&state, "domain_name").ends_with(".cloudfront.net"), "{state:?}");
    assert_eq!(s(&state, "hosted_zone_id"), "Z2FDTNDATAQYW2");
    assert_eq!(s(&state, "status"), "Deployed");
    assert!(!s(&state, "etag").is_empty());

    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);
    assert_eq!(got.get("domain_name"), state.get("domain_name"));
    assert_eq!(
        tag(&got, "tags_all", COMPONENT_TAG),
        Some("aws_cloudfront_distribution.cdn")
    );

    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
}

#[tokio::test]
async fn cloudfront_distribution_update() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_cloudfront_distribution.cdn");
    let c = ctx(&env, None, &tags, "aws_cloudfront_distribution.cdn");
    let d = driver("aws_cloudfront_distribution");
    let state = d.create(&c, &distribution_desired("orders CDN")).await.expect("create");

    let mut changed = distribution_desired("orders CDN v2");
    changed.insert("price_class".into(), json!("PriceClass_All"));
    changed.insert("aliases".into(), json!(["cdn.example.com", "api.example.com"]));
    changed.insert(
        "restrictions".into(),
        json!([{"geo_restriction": [{"restriction_type": "blacklist", "locations": ["KP", "IR"]}]}]),
    );
    changed.insert(
        "viewer_certificate".into(),
        json!([{
            "cloudfront_default_certificate": false,
            "acm_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "ssl_support_method": "sni-only",
            "minimum_protocol_version": "TLSv1.2_2021",
        }]),
    );
    if let Some(Value::Array(b)) = changed.get_mut("default_cache_behavior") {
        b[0]["default_ttl"] = json!(60);
        b[0]["max_ttl"] = json!(300);
        b[0]["forwarded_values"][0]["headers"] = json!(["Authorization", "Accept"]);
    }
    changed.insert("web_acl_id".into(), json!(""));
    changed.insert("tags".into(), json!({"Name": "orders-cdn", "tier": "edge"}));

    let next = d.update(&c, &state, &changed).await.expect("update");
    assert_eq!(s(&next, "status"), "Deployed");
    let got = read(d, &c, &next).await;
    assert_reads_as(&got, &changed);
    assert_eq!(tag(&got, "tags_all", "tier"), Some("edge"));

    d.delete(&c, &next).await.expect("delete");
    assert_gone(d, &c, &next).await;
}

#[tokio::test]
async fn cloudfront_distribution_disappears() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_cloudfront_distribution.cdn");
    let c = ctx(&env, None, &tags, "aws_cloudfront_distribution.cdn");
    let d = driver("aws_cloudfront_distribution");
    let state = d.create(&c, &distribution_desired("orders CDN")).await.expect("create");

    let sdk = cloudfront(&env);
    let id = s(&state, "id");
    let current = sdk
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .expect("GetDistributionConfig");
    let mut cfg = current.distribution_config().expect("config").clone();
    cfg.enabled = false;
    let disabled = sdk
        .update_distribution()
        .id(id)
        .if_match(current.e_tag().expect("etag"))
        .distribution_config(cfg)
        .send()
        .await
        .expect("UpdateDistribution");
    sdk.delete_distribution()
        .id(id)
        .if_match(disabled.e_tag().expect("etag"))
        .send()
        .await
        .expect("DeleteDistribution");

    assert_gone(d, &c, &state).await;
    d.delete(&c, &state)
        .await
        .expect("delete of a vanished distribution succeeds");
}

/// moto keeps the ETag across updates and drops some fields from GetDistribution; a change
/// made by hand must still show, and only where it was made.
#[tokio::test]
async fn cloudfront_distribution_drift() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_cloudfront_distribution.cdn");
    let c = ctx(&env, None, &tags, "aws_cloudfront_distribution.cdn");
    let d = driver("aws_cloudfront_distribution");
    let desired = distribution_desired("orders CDN");
    let state = d.create(&c, &desired).await.expect("create");

    let sdk = cloudfront(&env);
    let id = s(&state, "id");
    let current = sdk
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .expect("GetDistributionConfig");
    let mut cfg = current.distribution_config().expect("config").clone();
    cfg.comment = "edited in the console".to_string();
    cfg.enabled = false;
    sdk.update_distribution()
        .id(id)
        .if_match(current.e_tag().expect("etag"))
        .distribution_config(cfg)
        .send()
        .await
        .expect("UpdateDistribution");

    let got = read(d, &c, &state).await;
    assert_eq!(got.get("comment"), Some(&json!("edited in the console")));
    assert_eq!(got.get("enabled"), Some(&json!(false)));
    for (k, v) in &desired {
        if k != "comment" && k != "enabled" {
            assert_eq!(got.get(k), Some(v), "`{k}` shows a change nobody made");
        }
    }

    // Delete disables nothing more here (already disabled) and still deletes.
    d.delete(&c, &got).await.expect("delete");
    assert_gone(d, &c, &got).await;
}

/// Delete must disable first (UpdateDistribution with the ETag and Enabled=false), wait for
/// the deployment (GetDistribution), then delete with an ETag.
#[tokio::test]
async fn cloudfront_distribution_delete_disables_first() {
    let Some(moto) = common::moto() else { return };
    let mut env = common::aws_env(moto, REGION).await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let hooks = common::proxy::Hooks::default().record(Arc::clone(&log));
    env.endpoints.insert(
        "cloudfront".to_string(),
        common::proxy::start(&moto.endpoint, hooks).await,
    );
    let tags = ctx_tags("aws_cloudfront_distribution.cdn");
    let c = ctx(&env, None, &tags, "aws_cloudfront_distribution.cdn");
    let d = driver("aws_cloudfront_distribution");
    let state = d.create(&c, &distribution_desired("orders CDN")).await.expect("create");
    let id = s(&state, "id").to_string();
    log.lock().expect("log").clear();

    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;

    let calls = log.lock().expect("log").clone();
    let one = format!("/2020-05-31/distribution/{id}");
    let config = format!("{one}/config");
    let position = |pred: &dyn Fn(&Request) -> bool| calls.iter().position(pred);
    let disable = position(&|r| r.method == "PUT" && r.path == config).expect("UpdateDistribution to disable");
    assert!(
        calls[disable].body.contains("<Enabled>false</Enabled>"),
        "{:?}",
        calls[disable]
    );
    assert!(
        calls[disable].header("if-match").is_some_and(|e| !e.is_empty()),
        "{:?}",
        calls[disable]
    );
    let delete = position(&|r| r.method == "DELETE" && r.path == one).expect("DeleteDistribution");
    assert!(
        calls[delete].header("if-match").is_some_and(|e| !e.is_empty()),
        "{:?}",
        calls[delete]
    );
    assert!(disable < delete, "disabled before deleting: {calls:#?}");
    assert!(
        calls[disable..delete]
            .iter()
            .any(|r| r.method == "GET" && r.path == one),
        "waited for the deployment (GetDistribution) between disabling and deleting: {calls:#?}"
    );
}

// ---------------------------------------------------------------- Route 53

fn route53(env: &AwsEnv) -> aws_sdk_route53::Client {
    aws_sdk_route53::Client::new(&env.config("route53", None))
}

/// A hosted zone made with the SDK; its id without the `/hostedzone/` prefix.
async fn hosted_zone(env: &AwsEnv) -> (String, String) {
    let name = format!("{}.example.com", common::unique("zone"));
    let out = route53(env)
        .create_hosted_zone()
        .name(&name)
        .caller_reference(common::unique("ref"))
        .send()
        .await
        .expect("CreateHostedZone");
    let id = out
        .hosted_zone()
        .expect("zone")
        .id
        .trim_start_matches("/hostedzone/")
        .to_string();
    (id, name)
}

#[tokio::test]
async fn route53_record_basic_and_update() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_route53_record.api");
    let c = ctx(&env, None, &tags, "aws_route53_record.api");
    let d = driver("aws_route53_record");
    let (zone, zone_name) = hosted_zone(&env).await;
    let desired = obj(json!({
        "zone_id": zone,
        "name": format!("api.{zone_name}"),
        "type": "A",
        "ttl": 300,
        "records": ["192.0.2.10", "192.0.2.11"],
    }));

    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(s(&state, "id"), format!("{zone}_api.{zone_name}_A"));
    assert_eq!(s(&state, "fqdn"), format!("api.{zone_name}"));
    assert_reads_as(&read(d, &c, &state).await, &desired);

    let mut changed = desired.clone();
    changed.insert("ttl".into(), json!(60));
    changed.insert("records".into(), json!(["192.0.2.20"]));
    let next = d.update(&c, &state, &changed).await.expect("update");
    assert_reads_as(&read(d, &c, &next).await, &changed);

    d.delete(&c, &next).await.expect("delete");
    assert_gone(d, &c, &next).await;
    assert_eq!(d.replace_on(), &["zone_id", "name", "type"]);
}

#[tokio::test]
async fn route53_record_alias_with_relative_name() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_route53_record.cdn");
    let c = ctx(&env, None, &tags, "aws_route53_record.cdn");
    let d = driver("aws_route53_record");
    let (zone, zone_name) = hosted_zone(&env).await;
    let desired = obj(json!({
        "zone_id": format!("/hostedzone/{zone}"),
        "name": "cdn",
        "type": "A",
        "alias": [{
            "name": "d111111abcdef8.cloudfront.net",
            "zone_id": "Z2FDTNDATAQYW2",
            "evaluate_target_health": false,
        }],
    }));

    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(s(&state, "fqdn"), format!("cdn.{zone_name}"));
    assert_eq!(s(&state, "id"), format!("{zone}_cdn_A"));
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);

    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
}

#[tokio::test]
async fn route53_record_disappears_and_drift() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_route53_record.api");
    let c = ctx(&env, None, &tags, "aws_route53_record.api");
    let d = driver("aws_route53_record");
    let (zone, zone_name) = hosted_zone(&env).await;
    let fqdn = format!("api.{zone_name}");
    let desired = obj(json!({
        "zone_id": zone,
        "name": fqdn,
        "type": "A",
        "ttl": 300,
        "records": ["192.0.2.10"],
    }));
    let state = d.create(&c, &desired).await.expect("create");
    let sdk = route53(&env);
    let set = |ttl: i64, value: &str| {
        aws_sdk_route53::types::ResourceRecordSet::builder()
            .name(&fqdn)
            .r#type(aws_sdk_route53::types::RrType::A)
            .ttl(ttl)
            .resource_records(
                aws_sdk_route53::types::ResourceRecord::builder()
                    .value(value)
                    .build()
                    .expect("record"),
            )
            .build()
            .expect("record set")
    };
    let submit = |action: aws_sdk_route53::types::ChangeAction, rrs| {
        let sdk = sdk.clone();
        let zone = zone.clone();
        async move {
            sdk.change_resource_record_sets()
                .hosted_zone_id(zone)
                .change_batch(
                    aws_sdk_route53::types::ChangeBatch::builder()
                        .changes(
                            aws_sdk_route53::types::Change::builder()
                                .action(action)
                                .resource_record_set(rrs)
                                .build()
                                .expect("change"),
                        )
                        .build()
                        .expect("batch"),
                )
                .send()
                .await
                .expect("ChangeResourceRecordSets")
        }
    };

    // Drift: the record now points elsewhere with another TTL.
    submit(aws_sdk_route53::types::ChangeAction::Upsert, set(30, "198.51.100.7")).await;
    let got = read(d, &c, &state).await;
    assert_eq!(got.get("ttl"), Some(&json!(30)));
    assert_eq!(got.get("records"), Some(&json!(["198.51.100.7"])));

    // Delete uses the record's current values, not the state's.
    d.delete(&c, &state).await.expect("delete after drift");
    assert_gone(d, &c, &state).await;

    // Disappears: deleted by hand.
    let state = d.create(&c, &desired).await.expect("create again");
    submit(aws_sdk_route53::types::ChangeAction::Delete, set(300, "192.0.2.10")).await;
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state)
        .await
        .expect("delete of a vanished record succeeds");

    // The zone itself gone: the record is gone.
    let state = d.create(&c, &desired).await.expect("create once more");
    submit(aws_sdk_route53::types::ChangeAction::Delete, set(300, "192.0.2.10")).await;
    sdk.delete_hosted_zone()
        .id(&zone)
        .send()
        .await
        .expect("DeleteHostedZone");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state).await.expect("delete in a vanished zone succeeds");
}

#[test]
fn every_edge_driver_is_registered_once() {
    for t in [
        "aws_apigatewayv2_api",
        "aws_apigatewayv2_authorizer",
        "aws_apigatewayv2_integration",
        "aws_apigatewayv2_route",
        "aws_apigatewayv2_stage",
        "aws_wafv2_web_acl",
        "aws_cloudfront_distribution",
        "aws_route53_record",
    ] {
        let n = aws::drivers().iter().filter(|d| d.resource_type() == t).count();
        assert_eq!(n, 1, "{t} registered {n} times");
    }
    assert_eq!(driver("aws_wafv2_web_acl").service(), "wafv2");
    assert_eq!(driver("aws_cloudfront_distribution").service(), "cloudfront");
    assert_eq!(driver("aws_route53_record").service(), "route53");
    assert_eq!(driver("aws_apigatewayv2_stage").service(), "apigatewayv2");
}

/// `find`: a tagged child is adopted by its own composite only (same state as create made),
/// an untaggable one by its identity; nothing is found once deleted.
#[tokio::test]
async fn find_adopts_what_belongs_to_the_composite() {
    let Some(env) = env(REGION).await else { return };
    let tags = ctx_tags("aws_apigatewayv2_api.http");
    let c = ctx(&env, None, &tags, "aws_apigatewayv2_api.http");
    let d = driver("aws_apigatewayv2_api");
    let desired = api_desired(&common::unique("api"));
    let state = d.create(&c, &desired).await.expect("create");
    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    for key in ["id", "arn", "execution_arn", "api_endpoint"] {
        assert_eq!(found.get(key), state.get(key), "{key}");
    }
    let other = ChildCtx {
        composite: "wellarch_burst_tolerant_api.someone-else",
        ..c.clone()
    };
    assert_eq!(d.find(&other, &desired).await.expect("find"), None, "not ours");
    d.delete(&c, &state).await.expect("delete");
    assert_eq!(d.find(&c, &desired).await.expect("find"), None, "gone");

    let tags = ctx_tags("aws_route53_record.api");
    let c = ctx(&env, None, &tags, "aws_route53_record.api");
    let d = driver("aws_route53_record");
    let (zone, zone_name) = hosted_zone(&env).await;
    let desired = obj(json!({
        "zone_id": zone,
        "name": format!("api.{zone_name}"),
        "type": "A",
        "ttl": 300,
        "records": ["192.0.2.10"],
    }));
    assert_eq!(d.find(&c, &desired).await.expect("find"), None, "not made yet");
    let state = d.create(&c, &desired).await.expect("create");
    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    assert_eq!(found.get("id"), state.get("id"));
    assert_reads_as(&found, &desired);
    d.delete(&c, &state).await.expect("delete");
}
