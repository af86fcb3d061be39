//! Drivers of the data and messaging components (SQS, SNS, DynamoDB, S3, CloudWatch Logs,
//! CloudWatch alarms) against moto, in terraform-provider-aws's test shapes: basic (create,
//! read equals desired, delete, read is gone), update (an in-place change shows in read),
//! disappears (deleted out of band: read is `None`, delete still succeeds) and drift (changed
//! out of band: read shows AWS's value).

mod common;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use terraform_provider_wellarch::aws::{AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState, Driver, driver};

/// AWS configuration and tags for one child, the way the orchestrator passes them.
struct Fixture {
    env: AwsEnv,
    tags: BTreeMap<String, String>,
    component: String,
}

impl Fixture {
    fn ctx(&self) -> ChildCtx<'_> {
        ChildCtx {
            env: &self.env,
            region: None,
            tags: &self.tags,
            composite: "wellarch_burst_tolerant_api.test",
            component: &self.component,
        }
    }

    fn config(&self, service: &str) -> aws_types::SdkConfig {
        self.env.config(service, None)
    }
}

/// `None` (test skipped) only when moto is not installed.
async fn fixture(component: &str) -> Option<Fixture> {
    let moto = common::moto()?;
    let env = common::aws_env(moto, "us-east-1").await;
    let tags = BTreeMap::from([
        (
            COMPOSITE_TAG.to_string(),
            "wellarch_burst_tolerant_api.test".to_string(),
        ),
        (COMPONENT_TAG.to_string(), component.to_string()),
        ("env".to_string(), "test".to_string()),
    ]);
    Some(Fixture {
        env,
        tags,
        component: component.to_string(),
    })
}

fn the_driver(resource_type: &str) -> &'static dyn Driver {
    let d = driver(resource_type).unwrap_or_else(|| panic!("no driver registered for {resource_type}"));
    assert_eq!(d.resource_type(), resource_type);
    d
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("a JSON object")
}

/// Every desired attribute reads back with the desired value.
fn assert_reads_as(read: &ChildState, desired: &Map<String, Value>) {
    for (key, want) in desired {
        assert_eq!(read.get(key), Some(want), "attribute `{key}`: read {read:#?}");
    }
}

/// `tags_all` holds the child's own tags and every context tag.
fn assert_tags_all(state: &ChildState, fx: &Fixture, own: &[(&str, &str)]) {
    let mut want: Map<String, Value> = fx.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    for (k, v) in own {
        want.insert((*k).to_string(), json!(v));
    }
    assert_eq!(
        state.get("tags_all"),
        Some(&Value::Object(want)),
        "tags_all of {state:#?}"
    );
}

fn str_attr<'a>(state: &'a ChildState, key: &str) -> &'a str {
    state
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("state has no string `{key}`: {state:#?}"))
}

// ---------------------------------------------------------------------------------------
// aws_sqs_queue

fn sqs(fx: &Fixture) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&fx.config("sqs"))
}

/// A dead-letter queue plus the desired attributes of a queue that redrives into it.
async fn queue_with_dlq(fx: &Fixture) -> (ChildState, Map<String, Value>) {
    let d = the_driver("aws_sqs_queue");
    let dlq = d
        .create(
            &fx.ctx(),
            &obj(json!({"name": common::unique("dlq"), "message_retention_seconds": 1209600})),
        )
        .await
        .expect("create the dead-letter queue");
    let desired = obj(json!({
        "name": common::unique("jobs"),
        "visibility_timeout_seconds": 180,
        "message_retention_seconds": 345600,
        "receive_wait_time_seconds": 20,
        "sqs_managed_sse_enabled": true,
        "redrive_policy": format!(r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":5}}"#, str_attr(&dlq, "arn")),
        "tags": {"team": "orders"},
    }));
    (dlq, desired)
}

#[tokio::test]
async fn sqs_queue_basic() {
    let Some(fx) = fixture("aws_sqs_queue.jobs").await else {
        return;
    };
    let d = the_driver("aws_sqs_queue");
    assert_eq!(d.replace_on(), &["name"]);
    let (dlq, desired) = queue_with_dlq(&fx).await;

    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let name = desired["name"].as_str().expect("name");
    let url = str_attr(&state, "id");
    assert!(url.ends_with(&format!("/{name}")), "id is the queue URL: {url}");
    assert_eq!(str_attr(&state, "url"), url);
    assert_eq!(str_attr(&state, "name"), name);
    assert_eq!(
        str_attr(&state, "arn"),
        format!("arn:aws:sqs:us-east-1:123456789012:{name}")
    );
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("team", "orders")]);

    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("queue exists");
    assert_reads_as(&read, &desired);
    assert_eq!(read.get("arn"), state.get("arn"));
    assert_tags_all(&read, &fx, &[("team", "orders")]);

    // What AWS has, asked directly.
    let attrs = sqs(&fx)
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .expect("GetQueueAttributes");
    let attrs = attrs.attributes().expect("attributes");
    assert_eq!(attrs[&aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout], "180");
    assert_eq!(
        attrs[&aws_sdk_sqs::types::QueueAttributeName::ReceiveMessageWaitTimeSeconds],
        "20"
    );
    let aws_tags = sqs(&fx)
        .list_queue_tags()
        .queue_url(url)
        .send()
        .await
        .expect("ListQueueTags");
    let aws_tags = aws_tags.tags().expect("tags");
    assert_eq!(aws_tags.get("team").map(String::as_str), Some("orders"));
    assert_eq!(
        aws_tags.get(COMPONENT_TAG).map(String::as_str),
        Some("aws_sqs_queue.jobs")
    );

    d.delete(&fx.ctx(), &state).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &state).await.expect("read after delete"), None);
    d.delete(&fx.ctx(), &dlq).await.expect("delete the dead-letter queue");
}

#[tokio::test]
async fn sqs_queue_update() {
    let Some(fx) = fixture("aws_sqs_queue.jobs").await else {
        return;
    };
    let d = the_driver("aws_sqs_queue");
    let (dlq, desired) = queue_with_dlq(&fx).await;
    let state = d.create(&fx.ctx(), &desired).await.expect("create");

    let mut changed = desired.clone();
    changed.insert("visibility_timeout_seconds".into(), json!(300));
    changed.insert("message_retention_seconds".into(), json!(86400));
    changed.insert(
        "redrive_policy".into(),
        json!(format!(
            r#"{{"maxReceiveCount":3,"deadLetterTargetArn":"{}"}}"#,
            str_attr(&dlq, "arn")
        )),
    );
    changed.insert("tags".into(), json!({"team": "payments", "tier": "1"}));
    let updated = d.update(&fx.ctx(), &state, &changed).await.expect("update");
    assert_eq!(updated.get("id"), state.get("id"), "updated in place");
    assert_reads_as(&updated, &changed);

    let read = d.read(&fx.ctx(), &updated).await.expect("read").expect("queue exists");
    assert_reads_as(&read, &changed);
    assert_tags_all(&read, &fx, &[("team", "payments"), ("tier", "1")]);

    d.delete(&fx.ctx(), &updated).await.expect("delete");
    d.delete(&fx.ctx(), &dlq).await.expect("delete the dead-letter queue");
}

#[tokio::test]
async fn sqs_queue_disappears() {
    let Some(fx) = fixture("aws_sqs_queue.jobs").await else {
        return;
    };
    let d = the_driver("aws_sqs_queue");
    let state = d
        .create(
            &fx.ctx(),
            &obj(json!({"name": common::unique("gone"), "visibility_timeout_seconds": 60})),
        )
        .await
        .expect("create");
    sqs(&fx)
        .delete_queue()
        .queue_url(str_attr(&state, "id"))
        .send()
        .await
        .expect("DeleteQueue out of band");
    assert_eq!(d.read(&fx.ctx(), &state).await.expect("read"), None);
    d.delete(&fx.ctx(), &state)
        .await
        .expect("deleting a deleted queue succeeds");
}

#[tokio::test]
async fn sqs_queue_drift() {
    let Some(fx) = fixture("aws_sqs_queue.jobs").await else {
        return;
    };
    let d = the_driver("aws_sqs_queue");
    let (dlq, desired) = queue_with_dlq(&fx).await;
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let url = str_attr(&state, "id");

    sqs(&fx)
        .set_queue_attributes()
        .queue_url(url)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout, "45")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy, "")
        .send()
        .await
        .expect("SetQueueAttributes out of band");
    sqs(&fx)
        .tag_queue()
        .queue_url(url)
        .tags("team", "someone-else")
        .tags("env", "prod")
        .send()
        .await
        .expect("TagQueue out of band");

    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("queue exists");
    assert_eq!(read["visibility_timeout_seconds"], json!(45));
    assert_eq!(read["redrive_policy"], json!(""));
    // The context tag changed out of band shows in `tags` too.
    assert_eq!(read["tags"], json!({"env": "prod", "team": "someone-else"}));
    assert_eq!(
        read["receive_wait_time_seconds"],
        json!(20),
        "untouched attributes read as before"
    );

    // Update brings AWS back to the configuration.
    let fixed = d.update(&fx.ctx(), &read, &desired).await.expect("update");
    let read = d.read(&fx.ctx(), &fixed).await.expect("read").expect("queue exists");
    assert_reads_as(&read, &desired);
    assert_tags_all(&read, &fx, &[("team", "orders")]);

    d.delete(&fx.ctx(), &state).await.expect("delete");
    d.delete(&fx.ctx(), &dlq).await.expect("delete the dead-letter queue");
}
