//! The compute drivers against moto: `aws_iam_role`, `aws_iam_role_policy`,
//! `aws_lambda_function`, `aws_lambda_event_source_mapping`, `aws_cognito_user_pool`,
//! `aws_cognito_user_pool_client`. Each gets basic (create, read equals desired, delete, read
//! None), update, disappears (deleted out of band) and drift (changed out of band) tests,
//! in the shape of `hashicorp/aws` acceptance tests.
//!
//! Lambda code is a real zip built here: a stored (uncompressed) archive written byte by
//! byte, checked with Python's `zipfile` when the tools' Python is available.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::driver_kit::{obj, string as s};
use serde_json::{Map, Value, json};
use terraform_provider_wellarch::aws::lambda_function::{source_code_hash, zip_hash};
use terraform_provider_wellarch::aws::{
    AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState, Driver, driver, policy_json,
};

const REGION: &str = "eu-west-1";

struct Fixture {
    env: AwsEnv,
    tags: BTreeMap<String, String>,
}

impl Fixture {
    fn ctx(&self) -> ChildCtx<'_> {
        ChildCtx {
            env: &self.env,
            region: None,
            tags: &self.tags,
            composite: "wellarch_burst_tolerant_api.tests",
            component: "aws_test.component",
        }
    }

    fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.env.config("iam", None))
    }

    fn lambda(&self) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::new(&self.env.config("lambda", None))
    }

    fn cognito(&self) -> aws_sdk_cognitoidentityprovider::Client {
        aws_sdk_cognitoidentityprovider::Client::new(&self.env.config("cognitoidp", None))
    }

    fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.env.config("sqs", None))
    }

    fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.env.config("s3", None))
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }
}

/// The shared moto, or `None` (test skipped) when moto is not installed.
async fn fixture() -> Option<Fixture> {
    let moto = common::moto()?;
    let env = common::aws_env(moto, REGION).await;
    let tags = [
        (COMPOSITE_TAG, "wellarch_burst_tolerant_api.tests"),
        (COMPONENT_TAG, "aws_test.component"),
        ("owner", "driver-tests"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Some(Fixture { env, tags })
}

fn drv(resource_type: &str) -> &'static dyn Driver {
    driver(resource_type).unwrap_or_else(|| panic!("{resource_type} is not registered in drivers()"))
}

/// Every attribute of `desired` (except `skip`) has the same value in `read`.
fn assert_reads_as_desired(read: &ChildState, desired: &Map<String, Value>, skip: &[&str]) {
    for (key, want) in desired {
        if skip.contains(&key.as_str()) {
            continue;
        }
        assert_eq!(read.get(key), Some(want), "attribute `{key}`: read {read:#?}");
    }
}

/// A copy of `fx` whose `service` endpoint is a proxy in front of moto that answers the
/// requests `fail` picks with `failure` instead of relaying them.
async fn failing(
    fx: &Fixture,
    service: &str,
    fail: impl Fn(&common::proxy::Request) -> bool + Send + Sync + 'static,
    failure: Vec<u8>,
) -> Option<Fixture> {
    let moto = common::moto()?;
    let hooks = common::proxy::Hooks::default().answer(move |r| fail(r).then(|| failure.clone()));
    let mut env = fx.env.clone();
    env.endpoints
        .insert(service.to_string(), common::proxy::start(&moto.endpoint, hooks).await);
    Some(Fixture {
        env,
        tags: fx.tags.clone(),
    })
}

/// Writes a one-handler Python package to `dir/<name>.zip`; returns its path and bytes.
fn write_handler_zip(dir: &Path, name: &str, body: &str) -> (PathBuf, Vec<u8>) {
    let source = format!("def handler(event, context):\n    return {body}\n");
    let bytes = common::zip::stored_zip(&[("index.py", source.as_bytes())]);
    let path = dir.join(format!("{name}.zip"));
    std::fs::write(&path, &bytes).expect("write zip");
    (path, bytes)
}

/// The Python next to moto_server (the test tools' venv), if installed.
fn tools_python() -> Option<PathBuf> {
    let server = std::env::var_os("WELLARCH_MOTO_SERVER")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/wellarch/venv/bin/moto_server")))?;
    let python = server.with_file_name("python");
    python.exists().then_some(python)
}

#[test]
fn hand_built_zip_is_a_valid_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, bytes) = write_handler_zip(dir.path(), "check", "'ok'");
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    let Some(python) = tools_python() else {
        eprintln!("skipping the zipfile check: the tools' Python is not installed");
        return;
    };
    let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(z.read('index.py').decode(), end='')";
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "zipfile rejected the archive: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "def handler(event, context):\n    return 'ok'\n"
    );
}

// ---------------------------------------------------------------------------------------
// aws_iam_role

const LAMBDA_TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": ["sts:AssumeRole"],
    "Principal": { "Service": "lambda.amazonaws.com" }
  }
}"#;

const LAMBDA_AND_EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]}}]}"#;

fn role_desired(name: &str) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "assume_role_policy": LAMBDA_TRUST,
        "description": "runs the burst tolerant API's worker",
        "tags": { "app": "compute-tests" },
    }))
}

/// Role attributes read back match desired, the trust policy compared as canonical JSON.
fn assert_role_reads_as(read: &ChildState, desired: &Map<String, Value>) {
    assert_reads_as_desired(read, desired, &["assume_role_policy"]);
    let want = desired
        .get("assume_role_policy")
        .and_then(Value::as_str)
        .expect("desired policy");
    assert_eq!(
        read.get("assume_role_policy"),
        Some(&json!(policy_json::canonical(want).expect("canonical")))
    );
    assert!(policy_json::equivalent(s(read, "assume_role_policy"), want));
}

#[tokio::test]
async fn iam_role_basic() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role"));
    let name = common::unique("role-basic");
    let desired = role_desired(&name);

    let state = d.create(&ctx, &desired).await.expect("create");
    assert_eq!(s(&state, "id"), name);
    assert_eq!(s(&state, "arn"), format!("arn:aws:iam::123456789012:role/{name}"));
    assert!(s(&state, "unique_id").starts_with("ARO"), "{state:#?}");
    assert_eq!(
        state["tags_all"][COMPOSITE_TAG],
        json!("wellarch_burst_tolerant_api.tests")
    );
    assert_eq!(state["tags_all"]["owner"], json!("driver-tests"));
    assert_eq!(state["tags_all"]["app"], json!("compute-tests"));

    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_role_reads_as(&read, &desired);
    assert_eq!(read["unique_id"], state["unique_id"]);
    assert_eq!(d.replace_on(), &["name"]);

    d.delete(&ctx, &state).await.expect("delete");
    assert_eq!(d.read(&ctx, &state).await.expect("read after delete"), None);
}

#[tokio::test]
async fn iam_role_update() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role"));
    let name = common::unique("role-update");
    let state = d.create(&ctx, &role_desired(&name)).await.expect("create");

    let mut desired = role_desired(&name);
    desired.insert("assume_role_policy".into(), json!(LAMBDA_AND_EC2_TRUST));
    desired.insert("description".into(), json!("now also for EC2"));
    desired.insert("tags".into(), json!({ "app": "compute-tests-v2", "tier": "worker" }));
    let updated = d.update(&ctx, &state, &desired).await.expect("update");
    assert_eq!(updated["unique_id"], state["unique_id"], "updated in place");

    let read = d.read(&ctx, &updated).await.expect("read").expect("exists");
    assert_role_reads_as(&read, &desired);
    let tags = fx.iam().list_role_tags().role_name(&name).send().await.expect("tags");
    let tags: BTreeMap<&str, &str> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags.get("tier"), Some(&"worker"));
    assert_eq!(tags.get(COMPONENT_TAG), Some(&"aws_test.component"));

    d.delete(&ctx, &updated).await.expect("delete");
}

#[tokio::test]
async fn iam_role_disappears() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role"));
    let name = common::unique("role-gone");
    let state = d.create(&ctx, &role_desired(&name)).await.expect("create");

    fx.iam()
        .delete_role()
        .role_name(&name)
        .send()
        .await
        .expect("delete out of band");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("deleting a gone role succeeds");
}

#[tokio::test]
async fn iam_role_drift() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role"));
    let name = common::unique("role-drift");
    let state = d.create(&ctx, &role_desired(&name)).await.expect("create");

    let iam = fx.iam();
    iam.update_assume_role_policy()
        .role_name(&name)
        .policy_document(LAMBDA_AND_EC2_TRUST)
        .send()
        .await
        .expect("change trust out of band");
    iam.update_role()
        .role_name(&name)
        .description("edited in the console")
        .send()
        .await
        .expect("describe");
    let tag = aws_sdk_iam::types::Tag::builder()
        .key("app")
        .value("hijacked")
        .build()
        .expect("tag");
    iam.tag_role().role_name(&name).tags(tag).send().await.expect("tag");

    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert!(policy_json::equivalent(
        s(&read, "assume_role_policy"),
        LAMBDA_AND_EC2_TRUST
    ));
    assert!(!policy_json::equivalent(s(&read, "assume_role_policy"), LAMBDA_TRUST));
    assert_eq!(read["description"], json!("edited in the console"));
    assert_eq!(read["tags"], json!({ "app": "hijacked" }));

    // Update puts everything back.
    let back = d.update(&ctx, &read, &role_desired(&name)).await.expect("update");
    assert_role_reads_as(&back, &role_desired(&name));
    d.delete(&ctx, &back).await.expect("delete");
}

#[tokio::test]
async fn iam_role_delete_removes_inline_and_managed_policies() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role"));
    let name = common::unique("role-attached");
    let state = d.create(&ctx, &role_desired(&name)).await.expect("create");

    let iam = fx.iam();
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}"#;
    iam.put_role_policy()
        .role_name(&name)
        .policy_name("added-by-hand")
        .policy_document(doc)
        .send()
        .await
        .expect("inline policy");
    let managed = iam
        .create_policy()
        .policy_name(common::unique("managed"))
        .policy_document(doc)
        .send()
        .await
        .expect("managed policy");
    let managed_arn = managed.policy().and_then(|p| p.arn()).expect("policy arn").to_string();
    iam.attach_role_policy()
        .role_name(&name)
        .policy_arn(&managed_arn)
        .send()
        .await
        .expect("attach");
    // IAM itself refuses to delete the role now.
    let refused = iam
        .delete_role()
        .role_name(&name)
        .send()
        .await
        .expect_err("DeleteConflict");
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&refused),
        Some("DeleteConflict")
    );

    d.delete(&ctx, &state).await.expect("driver delete detaches first");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    let still_there = iam
        .get_policy()
        .policy_arn(&managed_arn)
        .send()
        .await
        .expect("managed policy kept");
    assert_eq!(still_there.policy().map(|p| p.attachment_count()), Some(Some(0)));
}

// ---------------------------------------------------------------------------------------
// aws_iam_role_policy

const SEND_POLICY: &str = r#"{ "Version": "2012-10-17",
  "Statement": [ { "Effect": "Allow", "Resource": "*", "Action": [ "sqs:SendMessage" ] } ] }"#;
const SEND_AND_RECEIVE_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:SendMessage"]}]}"#;

async fn sdk_role(fx: &Fixture, prefix: &str) -> (String, String) {
    let name = common::unique(prefix);
    let out = fx
        .iam()
        .create_role()
        .role_name(&name)
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("create role");
    let arn = out.role().map(|r| r.arn().to_string()).expect("role arn");
    (name, arn)
}

fn role_policy_desired(role: &str, policy: &str) -> Map<String, Value> {
    obj(json!({ "name": "queue-access", "role": role, "policy": policy }))
}

fn assert_policy_reads_as(read: &ChildState, desired: &Map<String, Value>) {
    assert_reads_as_desired(read, desired, &["policy"]);
    let want = desired.get("policy").and_then(Value::as_str).expect("policy");
    assert_eq!(read["policy"], json!(policy_json::canonical(want).expect("canonical")));
}

#[tokio::test]
async fn iam_role_policy_basic() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role_policy"));
    let (role, _) = sdk_role(&fx, "rp-basic").await;
    let desired = role_policy_desired(&role, SEND_POLICY);

    let state = d.create(&ctx, &desired).await.expect("create");
    assert_eq!(s(&state, "id"), format!("{role}:queue-access"));
    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_policy_reads_as(&read, &desired);
    let raw = fx
        .iam()
        .get_role_policy()
        .role_name(&role)
        .policy_name("queue-access")
        .send()
        .await
        .expect("get");
    assert!(policy_json::equivalent(
        &policy_json::from_iam(raw.policy_document()).expect("decode"),
        SEND_POLICY
    ));
    assert_eq!(d.replace_on(), &["name", "role"]);

    d.delete(&ctx, &state).await.expect("delete");
    assert_eq!(d.read(&ctx, &state).await.expect("read after delete"), None);
}

#[tokio::test]
async fn iam_role_policy_update() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role_policy"));
    let (role, _) = sdk_role(&fx, "rp-update").await;
    let state = d
        .create(&ctx, &role_policy_desired(&role, SEND_POLICY))
        .await
        .expect("create");

    let desired = role_policy_desired(&role, SEND_AND_RECEIVE_POLICY);
    let updated = d.update(&ctx, &state, &desired).await.expect("update");
    assert_eq!(updated["id"], state["id"]);
    let read = d.read(&ctx, &updated).await.expect("read").expect("exists");
    assert_policy_reads_as(&read, &desired);
    assert!(!policy_json::equivalent(s(&read, "policy"), SEND_POLICY));
    d.delete(&ctx, &updated).await.expect("delete");
}

#[tokio::test]
async fn iam_role_policy_disappears() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role_policy"));
    let (role, _) = sdk_role(&fx, "rp-gone").await;
    let state = d
        .create(&ctx, &role_policy_desired(&role, SEND_POLICY))
        .await
        .expect("create");

    fx.iam()
        .delete_role_policy()
        .role_name(&role)
        .policy_name("queue-access")
        .send()
        .await
        .expect("delete out of band");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("deleting a gone policy succeeds");

    // The whole role gone is the same answer.
    let state = d
        .create(&ctx, &role_policy_desired(&role, SEND_POLICY))
        .await
        .expect("create again");
    let iam = fx.iam();
    iam.delete_role_policy()
        .role_name(&role)
        .policy_name("queue-access")
        .send()
        .await
        .expect("policy");
    iam.delete_role().role_name(&role).send().await.expect("role");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("delete with role gone");
}

#[tokio::test]
async fn iam_role_policy_drift() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_iam_role_policy"));
    let (role, _) = sdk_role(&fx, "rp-drift").await;
    let state = d
        .create(&ctx, &role_policy_desired(&role, SEND_POLICY))
        .await
        .expect("create");

    fx.iam()
        .put_role_policy()
        .role_name(&role)
        .policy_name("queue-access")
        .policy_document(SEND_AND_RECEIVE_POLICY)
        .send()
        .await
        .expect("change out of band");
    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert!(policy_json::equivalent(s(&read, "policy"), SEND_AND_RECEIVE_POLICY));
    assert_ne!(read["policy"], state["policy"]);
    d.delete(&ctx, &state).await.expect("delete");
}

// ---------------------------------------------------------------------------------------
// aws_lambda_function

fn function_desired(name: &str, role_arn: &str, zip: &Path) -> Map<String, Value> {
    obj(json!({
        "function_name": name,
        "role": role_arn,
        "runtime": "python3.12",
        "handler": "index.handler",
        "filename": zip.to_str().expect("utf-8 path"),
        "memory_size": 256,
        "timeout": 30,
        "reserved_concurrent_executions": 5,
        "environment": [{ "variables": { "QUEUE_URL": "https://sqs.example/q", "MODE": "burst" } }],
        "tracing_config": [{ "mode": "Active" }],
        "tags": { "app": "compute-tests" },
    }))
}

#[tokio::test]
async fn lambda_function_basic() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_function"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, bytes) = write_handler_zip(dir.path(), "basic", "{'statusCode': 200}");
    let (_, role_arn) = sdk_role(&fx, "fn-basic-role").await;
    let name = common::unique("fn-basic");
    let desired = function_desired(&name, &role_arn, &zip);

    let state = d.create(&ctx, &desired).await.expect("create");
    let arn = format!("arn:aws:lambda:{REGION}:123456789012:function:{name}");
    assert_eq!(s(&state, "id"), name);
    assert_eq!(s(&state, "arn"), arn);
    assert_eq!(
        s(&state, "invoke_arn"),
        format!("arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations")
    );
    assert_eq!(s(&state, "version"), "$LATEST");
    assert_eq!(s(&state, "qualified_arn"), format!("{arn}:$LATEST"));
    assert_eq!(s(&state, "source_code_hash"), zip_hash(&bytes));
    assert_eq!(state["tags_all"][COMPONENT_TAG], json!("aws_test.component"));

    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    assert_eq!(read["source_code_hash"], state["source_code_hash"]);
    let planned = source_code_hash(zip.to_str().expect("utf-8 path"))
        .await
        .expect("hash the zip");
    assert_eq!(planned, zip_hash(&bytes));
    let config = fx
        .lambda()
        .get_function_configuration()
        .function_name(&name)
        .send()
        .await
        .expect("configuration");
    assert_eq!(config.state().map(|s| s.as_str()), Some("Active"));
    assert_eq!(config.code_sha256(), Some(zip_hash(&bytes).as_str()));
    assert_eq!(d.replace_on(), &["function_name"]);

    d.delete(&ctx, &state).await.expect("delete");
    assert_eq!(d.read(&ctx, &state).await.expect("read after delete"), None);
}

/// CreateFunction with a role IAM does not serve yet fails with "cannot be assumed by
/// Lambda" (moto answers exactly that for an unknown role); the driver retries until the role
/// appears.
#[tokio::test]
async fn lambda_function_waits_for_role_propagation() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_function"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, _) = write_handler_zip(dir.path(), "late-role", "1");
    let role = common::unique("fn-late-role");
    let role_arn = format!("arn:aws:iam::123456789012:role/{role}");
    let name = common::unique("fn-late");

    let iam = fx.iam();
    let late_role = role.clone();
    let creator = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(2)).await;
        iam.create_role()
            .role_name(late_role)
            .assume_role_policy_document(LAMBDA_TRUST)
            .send()
            .await
            .expect("create role late");
    });
    let started = Instant::now();
    let state = d
        .create(&ctx, &function_desired(&name, &role_arn, &zip))
        .await
        .expect("create succeeds once the role exists");
    creator.await.expect("role creator");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "created before the role existed"
    );
    assert_eq!(state["role"], json!(role_arn));
    d.delete(&ctx, &state).await.expect("delete");
}

/// A create that fails after CreateFunction (PutFunctionConcurrency, answered with an error
/// by a proxy in front of moto) returns the function's state in `created`, so nothing is
/// orphaned: that state reads the function, and delete removes it.
#[tokio::test]
async fn lambda_function_failure_after_create_returns_its_state() {
    let Some(fx) = fixture().await else { return };
    let failure = common::proxy::response(
        400,
        &[
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "InvalidParameterValueException"),
        ],
        r#"{"Type":"User","message":"injected failure"}"#,
    );
    let Some(broken) = failing(
        &fx,
        "lambda",
        |r| r.method == "PUT" && r.path.ends_with("/concurrency"),
        failure,
    )
    .await
    else {
        return;
    };
    let d = drv("aws_lambda_function");
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, _) = write_handler_zip(dir.path(), "half", "'ok'");
    let (_, role_arn) = sdk_role(&fx, "fn-half-role").await;
    let name = common::unique("fn-half");

    let err = d
        .create(&broken.ctx(), &function_desired(&name, &role_arn, &zip))
        .await
        .expect_err("PutFunctionConcurrency fails");
    assert!(
        err.message.contains("PutFunctionConcurrency") && err.message.contains("injected failure"),
        "{err}"
    );
    let created = err.created.expect("the state of the function CreateFunction made");
    assert_eq!(s(&created, "id"), name);

    let ctx = fx.ctx();
    let read = d
        .read(&ctx, &created)
        .await
        .expect("read")
        .expect("the function exists");
    assert_eq!(s(&read, "function_name"), name);
    d.delete(&ctx, &created).await.expect("delete with the reported state");
    assert_eq!(d.read(&ctx, &created).await.expect("read after delete"), None);
}

#[tokio::test]
async fn lambda_function_reports_an_unreadable_zip() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_function"));
    let (_, role_arn) = sdk_role(&fx, "fn-nozip-role").await;
    let missing = Path::new("/nonexistent/wellarch/handler.zip");
    let err = d
        .create(&ctx, &function_desired(&common::unique("fn-nozip"), &role_arn, missing))
        .await
        .expect_err("no zip");
    assert!(err.message.contains("/nonexistent/wellarch/handler.zip"), "{err}");
    assert!(err.message.contains("cannot read the deployment package"), "{err}");

    let mut neither = function_desired(&common::unique("fn-nocode"), &role_arn, missing);
    neither.remove("filename");
    let err = d.create(&ctx, &neither).await.expect_err("no code");
    assert!(err.message.contains("`s3_bucket` and `s3_key`"), "{err}");
}

#[tokio::test]
async fn lambda_function_from_s3() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_function"));
    let bytes = common::zip::stored_zip(&[("index.py", b"def handler(e, c):\n    return 's3'\n")]);
    let bucket = common::unique("code");
    let s3 = fx.s3();
    s3.create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .expect("bucket");
    s3.put_object()
        .bucket(&bucket)
        .key("worker.zip")
        .body(bytes.clone().into())
        .send()
        .await
        .expect("upload");
    let (_, role_arn) = sdk_role(&fx, "fn-s3-role").await;
    let name = common::unique("fn-s3");
    let mut desired = function_desired(&name, &role_arn, Path::new("unused"));
    desired.remove("filename");
    desired.insert("s3_bucket".into(), json!(bucket));
    desired.insert("s3_key".into(), json!("worker.zip"));

    let state = d.create(&ctx, &desired).await.expect("create from S3");
    assert_eq!(s(&state, "source_code_hash"), zip_hash(&bytes));
    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    d.delete(&ctx, &state).await.expect("delete");
}

#[tokio::test]
async fn lambda_function_update() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_function"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, v1) = write_handler_zip(dir.path(), "v1", "1");
    let (_, role_arn) = sdk_role(&fx, "fn-update-role").await;
    let (_, role2_arn) = sdk_role(&fx, "fn-update-role2").await;
    let name = common::unique("fn-update");
    let state = d
        .create(&ctx, &function_desired(&name, &role_arn, &zip))
        .await
        .expect("create");

    // Same path, new content: the hash tells the code changed.
    let (_, v2) = write_handler_zip(dir.path(), "v1", "2");
    assert_ne!(zip_hash(&v1), zip_hash(&v2));
    let mut desired = function_desired(&name, &role2_arn, &zip);
    desired.insert("memory_size".into(), json!(512));
    desired.insert("timeout".into(), json!(60));
    desired.insert("handler".into(), json!("index.other"));
    desired.insert("reserved_concurrent_executions".into(), json!(10));
    desired.insert("environment".into(), json!([{ "variables": { "MODE": "steady" } }]));
    desired.insert("tags".into(), json!({ "app": "compute-tests", "version": "2" }));

    let updated = d.update(&ctx, &state, &desired).await.expect("update");
    assert_eq!(updated["arn"], state["arn"], "updated in place");
    assert_eq!(s(&updated, "source_code_hash"), zip_hash(&v2));
    let read = d.read(&ctx, &updated).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    assert_eq!(read["source_code_hash"], json!(zip_hash(&v2)));

    // Dropping the reservation (-1, `hashicorp/aws`'s "none") deletes it.
    desired.insert("reserved_concurrent_executions".into(), json!(-1));
    let updated = d.update(&ctx, &read, &desired).await.expect("drop reservation");
    assert_eq!(updated["reserved_concurrent_executions"], json!(-1));
    let concurrency = fx
        .lambda()
        .get_function_concurrency()
        .function_name(&name)
        .send()
        .await
        .expect("concurrency");
    assert_eq!(concurrency.reserved_concurrent_executions(), None);

    d.delete(&ctx, &updated).await.expect("delete");
}

#[tokio::test]
async fn lambda_function_disappears() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_function"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, _) = write_handler_zip(dir.path(), "gone", "1");
    let (_, role_arn) = sdk_role(&fx, "fn-gone-role").await;
    let name = common::unique("fn-gone");
    let state = d
        .create(&ctx, &function_desired(&name, &role_arn, &zip))
        .await
        .expect("create");

    fx.lambda()
        .delete_function()
        .function_name(&name)
        .send()
        .await
        .expect("delete out of band");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("deleting a gone function succeeds");
}

#[tokio::test]
async fn lambda_function_drift() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_function"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, _) = write_handler_zip(dir.path(), "drift", "1");
    let (_, role_arn) = sdk_role(&fx, "fn-drift-role").await;
    let name = common::unique("fn-drift");
    let desired = function_desired(&name, &role_arn, &zip);
    let state = d.create(&ctx, &desired).await.expect("create");

    let lambda = fx.lambda();
    lambda
        .update_function_configuration()
        .function_name(&name)
        .memory_size(1024)
        .environment(
            aws_sdk_lambda::types::Environment::builder()
                .variables("MODE", "debug")
                .build(),
        )
        .send()
        .await
        .expect("reconfigure out of band");
    lambda
        .put_function_concurrency()
        .function_name(&name)
        .reserved_concurrent_executions(50)
        .send()
        .await
        .expect("concurrency out of band");
    let new_zip = common::zip::stored_zip(&[("index.py", b"def handler(e, c):\n    return 'patched'\n")]);
    lambda
        .update_function_code()
        .function_name(&name)
        .zip_file(aws_sdk_lambda::primitives::Blob::new(new_zip.clone()))
        .send()
        .await
        .expect("code out of band");

    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_eq!(read["memory_size"], json!(1024));
    assert_eq!(read["environment"], json!([{ "variables": { "MODE": "debug" } }]));
    assert_eq!(read["reserved_concurrent_executions"], json!(50));
    assert_eq!(read["source_code_hash"], json!(zip_hash(&new_zip)));

    // Update restores desired, the local zip included.
    let back = d.update(&ctx, &read, &desired).await.expect("update");
    assert_reads_as_desired(&back, &desired, &[]);
    assert_eq!(back["source_code_hash"], state["source_code_hash"]);
    d.delete(&ctx, &back).await.expect("delete");
}

// ---------------------------------------------------------------------------------------
// aws_lambda_event_source_mapping

/// A queue and a function to connect: `(queue ARN, function name, function ARN)`.
async fn queue_and_function(fx: &Fixture, prefix: &str, dir: &Path) -> (String, String, String) {
    let sqs = fx.sqs();
    let queue = sqs
        .create_queue()
        .queue_name(common::unique(prefix))
        .send()
        .await
        .expect("queue");
    let url = queue.queue_url().expect("queue url");
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes");
    let queue_arn = attrs
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
        .expect("queue arn")
        .clone();
    let (zip, _) = write_handler_zip(dir, prefix, "{'batchItemFailures': []}");
    let (_, role_arn) = sdk_role(fx, &format!("{prefix}-role")).await;
    let name = common::unique(&format!("{prefix}-fn"));
    let state = drv("aws_lambda_function")
        .create(&fx.ctx(), &function_desired(&name, &role_arn, &zip))
        .await
        .expect("function");
    (queue_arn, name, s(&state, "arn").to_string())
}

fn mapping_desired(queue_arn: &str, function: &str) -> Map<String, Value> {
    obj(json!({
        "event_source_arn": queue_arn,
        "function_name": function,
        "batch_size": 5,
        "maximum_batching_window_in_seconds": 2,
        "function_response_types": ["ReportBatchItemFailures"],
        "enabled": true,
    }))
}

#[tokio::test]
async fn lambda_event_source_mapping_basic() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_event_source_mapping"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue_arn, function, function_arn) = queue_and_function(&fx, "esm-basic", dir.path()).await;
    let desired = mapping_desired(&queue_arn, &function);

    let state = d.create(&ctx, &desired).await.expect("create");
    assert_eq!(state["id"], state["uuid"]);
    assert_eq!(s(&state, "id").len(), 36, "a UUID: {state:#?}");
    assert_eq!(s(&state, "function_arn"), function_arn);
    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    assert_eq!(d.replace_on(), &["event_source_arn"]);

    d.delete(&ctx, &state).await.expect("delete");
    assert_eq!(d.read(&ctx, &state).await.expect("read after delete"), None);
}

#[tokio::test]
async fn lambda_event_source_mapping_update() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_event_source_mapping"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue_arn, function, _) = queue_and_function(&fx, "esm-update", dir.path()).await;
    let state = d
        .create(&ctx, &mapping_desired(&queue_arn, &function))
        .await
        .expect("create");

    let mut desired = mapping_desired(&queue_arn, &function);
    desired.insert("batch_size".into(), json!(7));
    desired.insert("maximum_batching_window_in_seconds".into(), json!(3));
    desired.insert("function_response_types".into(), json!([]));
    desired.insert("enabled".into(), json!(false));
    let updated = d.update(&ctx, &state, &desired).await.expect("update");
    assert_eq!(updated["id"], state["id"], "updated in place");
    let read = d.read(&ctx, &updated).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    assert_eq!(read["state"], json!("Disabled"));
    d.delete(&ctx, &updated).await.expect("delete");
}

#[tokio::test]
async fn lambda_event_source_mapping_disappears() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_event_source_mapping"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue_arn, function, _) = queue_and_function(&fx, "esm-gone", dir.path()).await;
    let state = d
        .create(&ctx, &mapping_desired(&queue_arn, &function))
        .await
        .expect("create");

    fx.lambda()
        .delete_event_source_mapping()
        .uuid(s(&state, "id"))
        .send()
        .await
        .expect("delete out of band");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("deleting a gone mapping succeeds");
}

#[tokio::test]
async fn lambda_event_source_mapping_drift() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_lambda_event_source_mapping"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue_arn, function, _) = queue_and_function(&fx, "esm-drift", dir.path()).await;
    let desired = mapping_desired(&queue_arn, &function);
    let state = d.create(&ctx, &desired).await.expect("create");

    fx.lambda()
        .update_event_source_mapping()
        .uuid(s(&state, "id"))
        .batch_size(9)
        .enabled(false)
        .send()
        .await
        .expect("change out of band");
    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_eq!(read["batch_size"], json!(9));
    assert_eq!(read["enabled"], json!(false));

    let back = d.update(&ctx, &read, &desired).await.expect("update");
    assert_reads_as_desired(&back, &desired, &[]);
    d.delete(&ctx, &back).await.expect("delete");
}

// ---------------------------------------------------------------------------------------
// aws_cognito_user_pool

fn pool_desired(name: &str) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "password_policy": [{
            "minimum_length": 12,
            "require_lowercase": true,
            "require_numbers": true,
            "require_symbols": false,
            "require_uppercase": true,
            "temporary_password_validity_days": 3,
        }],
        "mfa_configuration": "OPTIONAL",
        "software_token_mfa_configuration": [{ "enabled": true }],
        "auto_verified_attributes": ["email"],
        "tags": { "app": "compute-tests" },
    }))
}

#[tokio::test]
async fn cognito_user_pool_basic() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_cognito_user_pool"));
    let name = common::unique("pool-basic");
    let desired = pool_desired(&name);

    let state = d.create(&ctx, &desired).await.expect("create");
    let id = s(&state, "id");
    assert!(id.starts_with(&format!("{REGION}_")), "{id}");
    assert_eq!(
        s(&state, "arn"),
        format!("arn:aws:cognito-idp:{REGION}:123456789012:userpool/{id}")
    );
    assert_eq!(
        s(&state, "endpoint"),
        format!("cognito-idp.{REGION}.amazonaws.com/{id}")
    );
    assert_eq!(
        state["tags_all"][COMPOSITE_TAG],
        json!("wellarch_burst_tolerant_api.tests")
    );

    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    assert_eq!(d.replace_on(), &["name"]);

    d.delete(&ctx, &state).await.expect("delete");
    assert_eq!(d.read(&ctx, &state).await.expect("read after delete"), None);
}

/// A create that fails after CreateUserPool (SetUserPoolMfaConfig, answered with an error by
/// a proxy in front of moto) returns the pool's state in `created`; that state reads the
/// pool, and delete removes it.
#[tokio::test]
async fn cognito_user_pool_failure_after_create_returns_its_state() {
    let Some(fx) = fixture().await else { return };
    let failure = common::proxy::response(
        400,
        &[("Content-Type", "application/x-amz-json-1.1")],
        r#"{"__type":"InvalidParameterException","message":"injected failure"}"#,
    );
    let Some(broken) = failing(
        &fx,
        "cognitoidp",
        |r| r.json_operation() == Some("SetUserPoolMfaConfig"),
        failure,
    )
    .await
    else {
        return;
    };
    let d = drv("aws_cognito_user_pool");
    let name = common::unique("pool-half");

    let err = d
        .create(&broken.ctx(), &pool_desired(&name))
        .await
        .expect_err("SetUserPoolMfaConfig fails");
    assert!(
        err.message.contains("SetUserPoolMfaConfig") && err.message.contains("injected failure"),
        "{err}"
    );
    let created = err.created.expect("the state of the pool CreateUserPool made");
    let id = s(&created, "id");

    let ctx = fx.ctx();
    let read = d.read(&ctx, &created).await.expect("read").expect("the pool exists");
    assert_eq!(s(&read, "name"), name);
    assert_eq!(s(&read, "id"), id);
    d.delete(&ctx, &created).await.expect("delete with the reported state");
    assert_eq!(d.read(&ctx, &created).await.expect("read after delete"), None);
}

#[tokio::test]
async fn cognito_user_pool_update() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_cognito_user_pool"));
    let name = common::unique("pool-update");
    let state = d.create(&ctx, &pool_desired(&name)).await.expect("create");

    let mut desired = pool_desired(&name);
    desired.insert(
        "password_policy".into(),
        json!([{
            "minimum_length": 16,
            "require_lowercase": true,
            "require_numbers": false,
            "require_symbols": true,
            "require_uppercase": true,
            "temporary_password_validity_days": 1,
        }]),
    );
    desired.insert("mfa_configuration".into(), json!("ON"));
    desired.insert("auto_verified_attributes".into(), json!(["email", "phone_number"]));
    desired.insert("tags".into(), json!({ "tier": "auth" }));
    let updated = d.update(&ctx, &state, &desired).await.expect("update");
    assert_eq!(updated["id"], state["id"], "updated in place");

    let read = d.read(&ctx, &updated).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    // The dropped tag is gone, the context's tags stay.
    assert_eq!(read["tags_all"].get("app"), None);
    assert_eq!(read["tags_all"][COMPONENT_TAG], json!("aws_test.component"));

    desired.insert("mfa_configuration".into(), json!("OFF"));
    desired.remove("software_token_mfa_configuration");
    let off = d.update(&ctx, &read, &desired).await.expect("mfa off");
    assert_eq!(off["mfa_configuration"], json!("OFF"));
    d.delete(&ctx, &off).await.expect("delete");
}

#[tokio::test]
async fn cognito_user_pool_disappears() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_cognito_user_pool"));
    let state = d
        .create(&ctx, &pool_desired(&common::unique("pool-gone")))
        .await
        .expect("create");

    fx.cognito()
        .delete_user_pool()
        .user_pool_id(s(&state, "id"))
        .send()
        .await
        .expect("delete out of band");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("deleting a gone pool succeeds");
}

#[tokio::test]
async fn cognito_user_pool_drift() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_cognito_user_pool"));
    let name = common::unique("pool-drift");
    let desired = pool_desired(&name);
    let state = d.create(&ctx, &desired).await.expect("create");

    let cognito = fx.cognito();
    let weak = aws_sdk_cognitoidentityprovider::types::PasswordPolicyType::builder()
        .minimum_length(6)
        .require_lowercase(false)
        .require_numbers(false)
        .require_symbols(false)
        .require_uppercase(false)
        .temporary_password_validity_days(7)
        .build();
    cognito
        .update_user_pool()
        .user_pool_id(s(&state, "id"))
        .policies(
            aws_sdk_cognitoidentityprovider::types::UserPoolPolicyType::builder()
                .password_policy(weak)
                .build(),
        )
        .send()
        .await
        .expect("weaken out of band");
    cognito
        .set_user_pool_mfa_config()
        .user_pool_id(s(&state, "id"))
        .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Off)
        .send()
        .await
        .expect("mfa off out of band");

    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_eq!(read["password_policy"][0]["minimum_length"], json!(6));
    assert_eq!(read["password_policy"][0]["require_uppercase"], json!(false));
    assert_eq!(read["mfa_configuration"], json!("OFF"));
    assert_eq!(read["auto_verified_attributes"], json!([]));

    let back = d.update(&ctx, &read, &desired).await.expect("update");
    assert_reads_as_desired(&back, &desired, &[]);
    d.delete(&ctx, &back).await.expect("delete");
}

// ---------------------------------------------------------------------------------------
// aws_cognito_user_pool_client

async fn pool(fx: &Fixture, prefix: &str) -> ChildState {
    drv("aws_cognito_user_pool")
        .create(&fx.ctx(), &pool_desired(&common::unique(prefix)))
        .await
        .expect("pool")
}

fn client_desired(pool_id: &str) -> Map<String, Value> {
    obj(json!({
        "name": "api",
        "user_pool_id": pool_id,
        "generate_secret": false,
        "explicit_auth_flows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        "prevent_user_existence_errors": "ENABLED",
        "access_token_validity": 1,
        "id_token_validity": 1,
        "refresh_token_validity": 30,
    }))
}

#[tokio::test]
async fn cognito_user_pool_client_basic() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_cognito_user_pool_client"));
    let pool = pool(&fx, "client-basic").await;
    let desired = client_desired(s(&pool, "id"));

    let state = d.create(&ctx, &desired).await.expect("create");
    assert!(!s(&state, "id").is_empty());
    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    assert_eq!(d.replace_on(), &["user_pool_id", "generate_secret"]);

    d.delete(&ctx, &state).await.expect("delete");
    assert_eq!(d.read(&ctx, &state).await.expect("read after delete"), None);

    // A client with a secret reads back as one.
    let mut secret = client_desired(s(&pool, "id"));
    secret.insert("generate_secret".into(), json!(true));
    let state = d.create(&ctx, &secret).await.expect("create with secret");
    assert_eq!(state["generate_secret"], json!(true));
    assert_eq!(state.get("client_secret"), None, "the secret stays out of the state");
    d.delete(&ctx, &state).await.expect("delete");
}

#[tokio::test]
async fn cognito_user_pool_client_update() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_cognito_user_pool_client"));
    let pool = pool(&fx, "client-update").await;
    let state = d.create(&ctx, &client_desired(s(&pool, "id"))).await.expect("create");

    let mut desired = client_desired(s(&pool, "id"));
    desired.insert("name".into(), json!("api-v2"));
    desired.insert(
        "explicit_auth_flows".into(),
        json!([
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH"
        ]),
    );
    desired.insert("prevent_user_existence_errors".into(), json!("LEGACY"));
    desired.insert("access_token_validity".into(), json!(2));
    desired.insert("id_token_validity".into(), json!(3));
    desired.insert("refresh_token_validity".into(), json!(7));
    let updated = d.update(&ctx, &state, &desired).await.expect("update");
    assert_eq!(updated["id"], state["id"], "updated in place");
    let read = d.read(&ctx, &updated).await.expect("read").expect("exists");
    assert_reads_as_desired(&read, &desired, &[]);
    d.delete(&ctx, &updated).await.expect("delete");
}

#[tokio::test]
async fn cognito_user_pool_client_disappears() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_cognito_user_pool_client"));
    let pool = pool(&fx, "client-gone").await;
    let state = d.create(&ctx, &client_desired(s(&pool, "id"))).await.expect("create");

    fx.cognito()
        .delete_user_pool_client()
        .user_pool_id(s(&pool, "id"))
        .client_id(s(&state, "id"))
        .send()
        .await
        .expect("delete out of band");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("deleting a gone client succeeds");

    // The pool itself gone: the client is gone too.
    let state = d
        .create(&ctx, &client_desired(s(&pool, "id")))
        .await
        .expect("create again");
    drv("aws_cognito_user_pool")
        .delete(&ctx, &pool)
        .await
        .expect("delete pool");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("delete with pool gone");
}

#[tokio::test]
async fn cognito_user_pool_client_drift() {
    let Some(fx) = fixture().await else { return };
    let (ctx, d) = (fx.ctx(), drv("aws_cognito_user_pool_client"));
    let pool = pool(&fx, "client-drift").await;
    let desired = client_desired(s(&pool, "id"));
    let state = d.create(&ctx, &desired).await.expect("create");

    fx.cognito()
        .update_user_pool_client()
        .user_pool_id(s(&pool, "id"))
        .client_id(s(&state, "id"))
        .client_name("renamed")
        .access_token_validity(24)
        .send()
        .await
        .expect("change out of band");
    let read = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_eq!(read["name"], json!("renamed"));
    assert_eq!(read["access_token_validity"], json!(24));

    let back = d.update(&ctx, &read, &desired).await.expect("update");
    assert_reads_as_desired(&back, &desired, &[]);
    d.delete(&ctx, &back).await.expect("delete");
}
