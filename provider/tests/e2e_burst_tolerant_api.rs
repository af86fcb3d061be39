//! End to end, as a user runs it: the real Terraform 1.0.3 CLI drives the built provider
//! through examples/burst_tolerant_api against a moto server on 127.0.0.1.
//!
//! apply → no-op plan → drift (a child deleted, an attribute changed) shown by plan →
//! apply repairs it → in-place update → destroy → nothing left in moto; and import of an
//! applied composite, whose next apply adopts every child.

mod common;

use std::path::Path;
use std::time::Instant;

use common::terraform::Workdir;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/burst_tolerant_api");

/// The example's files plus a zipped handler, in a fresh Terraform directory.
pub fn example_workdir(moto_endpoint: &str) -> Option<Workdir> {
    let mut files = Vec::new();
    for name in ["main.tf", "variables.tf", "outputs.tf", "handler/app.py"] {
        let text = std::fs::read_to_string(Path::new(EXAMPLE).join(name)).expect("read example file");
        files.push((name, text));
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let mut work = Workdir::new(&borrowed)?;
    let source = std::fs::read(work.path().join("handler/app.py")).expect("read handler");
    let zip = common::zip::stored_zip(&[("app.py", &source)]);
    work.write_bytes("build/handler.zip", &zip);
    work.set_env("AWS_ENDPOINT_URL", moto_endpoint);
    Some(work)
}

async fn sdk(moto: &common::Moto, region: &str) -> aws_types::SdkConfig {
    common::aws_env(moto, region).await.base
}

/// Every resource of the composite `name` still in moto, in both regions it uses.
async fn leftovers(moto: &common::Moto, name: &str) -> Vec<String> {
    let mut left = Vec::new();
    for region in ["eu-west-1", "us-east-1"] {
        let cfg = sdk(moto, region).await;
        let sqs = aws_sdk_sqs::Client::new(&cfg);
        let queues = sqs
            .list_queues()
            .queue_name_prefix(name)
            .send()
            .await
            .expect("ListQueues");
        left.extend(queues.queue_urls().iter().map(|q| format!("queue {q}")));
        let ddb = aws_sdk_dynamodb::Client::new(&cfg);
        let tables = ddb.list_tables().send().await.expect("ListTables");
        left.extend(
            tables
                .table_names()
                .iter()
                .filter(|t| t.contains(name))
                .map(|t| format!("table {t}")),
        );
        let lambda = aws_sdk_lambda::Client::new(&cfg);
        let functions = lambda.list_functions().send().await.expect("ListFunctions");
        left.extend(
            functions
                .functions()
                .iter()
                .filter_map(|f| f.function_name())
                .filter(|f| f.contains(name))
                .map(|f| format!("function {f}")),
        );
        let logs = aws_sdk_cloudwatchlogs::Client::new(&cfg);
        let groups = logs.describe_log_groups().send().await.expect("DescribeLogGroups");
        left.extend(
            groups
                .log_groups()
                .iter()
                .filter_map(|g| g.log_group_name())
                .filter(|g| g.contains(name))
                .map(|g| format!("log group {g}")),
        );
        let cognito = aws_sdk_cognitoidentityprovider::Client::new(&cfg);
        let pools = cognito
            .list_user_pools()
            .max_results(60)
            .send()
            .await
            .expect("ListUserPools");
        left.extend(
            pools
                .user_pools()
                .iter()
                .filter_map(|p| p.name())
                .filter(|p| p.contains(name))
                .map(|p| format!("user pool {p}")),
        );
        let apigw = aws_sdk_apigatewayv2::Client::new(&cfg);
        let apis = apigw.get_apis().send().await.expect("GetApis");
        left.extend(
            apis.items()
                .iter()
                .filter_map(|a| a.name())
                .filter(|a| a.contains(name))
                .map(|a| format!("api {a}")),
        );
        left.extend(common::leftovers::monitoring_and_waf(moto, region, name).await);
    }
    left.extend(common::leftovers::global(moto, name).await);
    left
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_drift_update_destroy_leaves_nothing() {
    let Some(moto) = common::moto() else { return };
    let Some(work) = example_workdir(&moto.endpoint) else {
        return;
    };
    let name = common::unique("e2e");
    let name_var = format!("name={name}");
    let vars = ["-var", name_var.as_str(), "-var", "deletion_protection=false"];
    let with = |args: &[&str]| -> Vec<String> { args.iter().chain(vars.iter()).map(|s| s.to_string()).collect() };
    let run = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        work.run(&refs)
    };

    // 1. apply
    let started = Instant::now();
    run(with(&["apply", "-auto-approve"])).expect_code(0, "apply");
    eprintln!("apply took {:.1}s", started.elapsed().as_secs_f64());
    let children = work.components();
    assert!(children.len() >= 20, "{children:?}");
    for kind in [
        "aws_sqs_queue.",
        "aws_lambda_function.",
        "aws_wafv2_web_acl.",
        "aws_cloudfront_distribution.",
    ] {
        assert!(
            children.keys().any(|k| k.starts_with(kind)),
            "no {kind} in {children:?}"
        );
    }

    // 2. a second plan has nothing to do
    run(with(&["plan", "-detailed-exitcode"])).expect_code(0, "plan after apply");

    // 3. drift: an alarm deleted and the queue's visibility timeout changed behind Terraform
    let alarm = children
        .iter()
        .find(|(k, _)| k.starts_with("aws_cloudwatch_metric_alarm."))
        .map(|(_, v)| v.clone())
        .expect("an alarm");
    let queue_url = children
        .iter()
        .find(|(k, v)| k.starts_with("aws_sqs_queue.") && !v.contains("dlq"))
        .map(|(_, v)| v.clone())
        .expect("the queue");
    let cfg = sdk(moto, "eu-west-1").await;
    let cw = aws_sdk_cloudwatch::Client::new(&cfg);
    cw.delete_alarms()
        .alarm_names(&alarm)
        .send()
        .await
        .expect("DeleteAlarms");
    let sqs = aws_sdk_sqs::Client::new(&cfg);
    sqs.set_queue_attributes()
        .queue_url(&queue_url)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout, "7")
        .send()
        .await
        .expect("SetQueueAttributes");
    let drift = run(with(&["plan", "-detailed-exitcode"]));
    drift.expect_code(2, "plan after drift");
    assert!(drift.stdout.contains("deleted outside Terraform"), "{}", drift.stdout);
    assert!(
        drift.stdout.contains("visibility_timeout_seconds is 7"),
        "{}",
        drift.stdout
    );
    assert!(!drift.stdout.contains("must be replaced"), "{}", drift.stdout);

    // 4. apply repairs both
    run(with(&["apply", "-auto-approve"])).expect_code(0, "apply repairing drift");
    run(with(&["plan", "-detailed-exitcode"])).expect_code(0, "plan after repair");
    let alarms = cw
        .describe_alarms()
        .alarm_names(&alarm)
        .send()
        .await
        .expect("DescribeAlarms");
    assert_eq!(alarms.metric_alarms().len(), 1, "the alarm is back");
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout)
        .send()
        .await
        .expect("GetQueueAttributes");
    let timeout = attrs
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout))
        .cloned();
    assert_eq!(timeout.as_deref(), Some("180"), "6 × the 30 s handler timeout");

    // 5. an in-place update
    let mut update = with(&["plan"]);
    update.extend(["-var".to_string(), "handler_memory=512".to_string()]);
    let planned = run(update.clone());
    planned.expect_code(0, "plan of the update");
    assert!(planned.stdout.contains("updated in-place"), "{}", planned.stdout);
    assert!(!planned.stdout.contains("must be replaced"), "{}", planned.stdout);
    update[0] = "apply".into();
    update.insert(1, "-auto-approve".into());
    run(update).expect_code(0, "apply of the update");
    let after = work.components();
    assert_eq!(after, children, "an in-place update keeps every child");
    let function = children
        .iter()
        .find(|(k, _)| k.starts_with("aws_lambda_function."))
        .map(|(_, v)| v.clone())
        .expect("the function");
    let lambda = aws_sdk_lambda::Client::new(&cfg);
    let got = lambda
        .get_function_configuration()
        .function_name(&function)
        .send()
        .await
        .expect("GetFunctionConfiguration");
    assert_eq!(got.memory_size(), Some(512));

    // 6. destroy, and nothing is left in either region
    let mut destroy = with(&["destroy", "-auto-approve"]);
    destroy.extend(["-var".to_string(), "handler_memory=512".to_string()]);
    run(destroy).expect_code(0, "destroy");
    assert_eq!(leftovers(moto, &name).await, Vec::<String>::new());
}

/// State lost after an apply: `terraform import` by name, and the next apply adopts every
/// child (same physical ids) instead of creating a second copy.
#[tokio::test(flavor = "multi_thread")]
async fn import_adopts_every_child_without_duplicates() {
    let Some(moto) = common::moto() else { return };
    let Some(work) = example_workdir(&moto.endpoint) else {
        return;
    };
    let name = common::unique("import");
    let name_var = format!("name={name}");
    let vars = ["-var", name_var.as_str(), "-var", "deletion_protection=false"];
    let run = |args: &[&str]| {
        let all: Vec<&str> = args.iter().chain(vars.iter()).copied().collect();
        work.run(&all)
    };

    run(&["apply", "-auto-approve"]).expect_code(0, "apply");
    let children = work.components();
    assert!(children.len() >= 20, "{children:?}");

    work.run(&["state", "rm", "wellarch_burst_tolerant_api.orders"])
        .expect_code(0, "state rm");
    // Options go before the address and id.
    let mut import = vec!["import"];
    import.extend(vars);
    import.extend(["wellarch_burst_tolerant_api.orders", name.as_str()]);
    work.run(&import).expect_code(0, "import");

    let planned = run(&["plan"]);
    planned.expect_code(0, "plan after import");
    assert!(planned.stdout.contains("updated in-place"), "{}", planned.stdout);
    assert!(!planned.stdout.contains("must be replaced"), "{}", planned.stdout);
    assert!(!planned.stdout.contains("will be created"), "{}", planned.stdout);

    run(&["apply", "-auto-approve"]).expect_code(0, "apply after import");
    assert_eq!(work.components(), children, "every child adopted, none duplicated");
    run(&["plan", "-detailed-exitcode"]).expect_code(0, "plan after adopting");

    run(&["destroy", "-auto-approve"]).expect_code(0, "destroy");
    assert_eq!(leftovers(moto, &name).await, Vec::<String>::new());
}

/// A Lambda endpoint that fails every request (HTTP 500), so the apply breaks midway: after
/// the queues, table, bucket and roles exist and before the function does.
fn failing_endpoint() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the failing endpoint");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let body = r#"{"message":"injected fault"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nx-amzn-ErrorType: ServiceException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_midway_keeps_every_child_in_state_and_destroy_removes_them() {
    let Some(moto) = common::moto() else { return };
    let Some(work) = example_workdir(&moto.endpoint) else {
        return;
    };
    let name = common::unique("fault");
    let name_var = format!("name={name}");
    let vars = ["-var", name_var.as_str(), "-var", "deletion_protection=false"];
    let run = |args: &[&str]| {
        let all: Vec<&str> = args.iter().chain(vars.iter()).copied().collect();
        work.run(&all)
    };
    let original = std::fs::read_to_string(work.path().join("main.tf")).expect("main.tf");
    let broken = original.replacen(
        "region = var.region",
        &format!(
            "region = var.region\n\n  endpoints {{\n    lambda = \"{}\"\n  }}",
            failing_endpoint()
        ),
        1,
    );
    assert_ne!(broken, original, "the provider block has a region line to extend");
    work.write("main.tf", &broken);

    let failed = run(&["apply", "-auto-approve"]);
    failed.expect_code(1, "apply against a failing Lambda endpoint");
    assert!(
        failed.text().contains("aws_lambda_function.consumer"),
        "{}",
        failed.text()
    );

    // Terraform kept the partial state: the composite, tainted, with every child made so far.
    let show = work.run(&["show", "-json"]);
    show.expect_code(0, "show");
    let state: serde_json::Value = serde_json::from_str(&show.stdout).expect("state JSON");
    let resource = &state["values"]["root_module"]["resources"][0];
    assert_eq!(resource["type"], "wellarch_burst_tolerant_api", "{state}");
    assert_eq!(resource["tainted"], true, "{resource}");
    let components = resource["values"]["components"].as_object().expect("components map");
    for made in [
        "aws_sqs_queue.jobs",
        "aws_sqs_queue.dlq",
        "aws_dynamodb_table.items",
        "aws_iam_role.consumer",
    ] {
        assert!(components.contains_key(made), "{made} missing from {components:?}");
    }
    assert!(
        !components.contains_key("aws_lambda_function.consumer"),
        "{components:?}"
    );
    assert!(
        !leftovers(moto, &name).await.is_empty(),
        "the partial apply made real children"
    );

    // With the endpoint back, destroy removes every child of the partial state.
    work.write("main.tf", &original);
    run(&["destroy", "-auto-approve"]).expect_code(0, "destroy after the fault");
    assert_eq!(leftovers(moto, &name).await, Vec::<String>::new());
}
