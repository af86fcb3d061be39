//! `aws_lambda_event_source_mapping`: Lambda polling a queue or stream, id = the mapping's
//! UUID.
//!
//! Mappings move through transitional states (`Creating`, `Enabling`, `Updating`, …) and
//! refuse changes meanwhile (`ResourceInUseException`), so every change waits for a settled
//! state. Like `CreateFunction`, `CreateEventSourceMapping` is refused for a few seconds
//! after the function's role or its policy is created; those IAM-propagation errors are
//! retried until the component timeout, as `hashicorp/aws` does.

use async_trait::async_trait;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::operation::get_event_source_mapping::GetEventSourceMappingOutput;
use aws_sdk_lambda::types::FunctionResponseType;
use serde_json::{Map, Value, json};

use super::attrs;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

/// The driver for `aws_lambda_event_source_mapping`.
pub struct LambdaEventSourceMapping;

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("lambda"))
}

/// IAM changes (the role, or the policy granting `sqs:ReceiveMessage`) not yet visible to
/// Lambda.
fn iam_propagating<E: ProvideErrorMetadata>(err: &E) -> bool {
    has_code(err, &["InvalidParameterValueException"])
        && err.message().is_some_and(|m| {
            m.contains("cannot be assumed by Lambda") || m.contains("execution role does not have permissions")
        })
}

/// The mapping is mid-transition and refuses changes for now.
fn in_use<E: ProvideErrorMetadata>(err: &E) -> bool {
    has_code(err, &["ResourceInUseException"])
}

/// `GetEventSourceMapping`, `None` when the mapping does not exist.
async fn find_mapping(client: &Client, uuid: &str) -> Result<Option<GetEventSourceMappingOutput>, DriverError> {
    found(
        "GetEventSourceMapping",
        NOT_FOUND,
        client.get_event_source_mapping().uuid(uuid).send().await,
    )
}

/// Waits for `Enabled` or `Disabled`, the states in which the mapping accepts changes.
async fn wait_settled(
    ctx: &ChildCtx<'_>,
    client: &Client,
    uuid: &str,
) -> Result<GetEventSourceMappingOutput, DriverError> {
    wait::until(
        &format!("event source mapping {uuid} to be Enabled or Disabled"),
        ctx.env.component_timeout,
        || async move {
            let out = find_mapping(client, uuid)
                .await?
                .ok_or_else(|| DriverError::new(format!("event source mapping {uuid} vanished")))?;
            Ok(matches!(out.state(), Some("Enabled" | "Disabled")).then_some(out))
        },
    )
    .await
}

/// The `function_name` to report: the prior value when it names the mapped function (it may
/// be a name or an ARN), else the function name from `function_arn`.
fn function_name(prior: &Map<String, Value>, function_arn: &str) -> String {
    let base = function_arn.split(":function:").nth(1).unwrap_or(function_arn);
    let base_name = base.split(':').next().unwrap_or(base);
    match prior.get("function_name").and_then(Value::as_str) {
        Some(p) if p == function_arn || p == base || p == base_name => p.to_string(),
        _ => base_name.to_string(),
    }
}

fn mapping_state(prior: &Map<String, Value>, out: &GetEventSourceMappingOutput) -> Result<ChildState, DriverError> {
    let uuid = out
        .uuid()
        .ok_or_else(|| DriverError::new("GetEventSourceMapping: the answer has no UUID"))?;
    let function_arn = out.function_arn().unwrap_or_default();
    let enabled = matches!(out.state(), Some("Enabled" | "Enabling" | "Creating"));
    let mut state = Map::new();
    state.insert("id".into(), json!(uuid));
    state.insert("uuid".into(), json!(uuid));
    state.insert("function_arn".into(), json!(function_arn));
    if let Some(arn) = out.event_source_mapping_arn() {
        state.insert("arn".into(), json!(arn));
    }
    state.insert("event_source_arn".into(), json!(out.event_source_arn()));
    state.insert("function_name".into(), json!(function_name(prior, function_arn)));
    state.insert("batch_size".into(), json!(out.batch_size()));
    state.insert(
        "maximum_batching_window_in_seconds".into(),
        json!(out.maximum_batching_window_in_seconds().unwrap_or(0)),
    );
    state.insert(
        "function_response_types".into(),
        attrs::string_set(out.function_response_types().iter().map(FunctionResponseType::as_str)),
    );
    state.insert("enabled".into(), json!(enabled));
    state.insert("state".into(), json!(out.state()));
    Ok(state)
}

fn response_types(desired: &Map<String, Value>) -> Result<Vec<FunctionResponseType>, DriverError> {
    Ok(attrs::string_list(desired, "function_response_types")?
        .iter()
        .map(|t| FunctionResponseType::from(t.as_str()))
        .collect())
}

#[async_trait]
impl Driver for LambdaEventSourceMapping {
    fn resource_type(&self) -> &'static str {
        "aws_lambda_event_source_mapping"
    }

    fn service(&self) -> &'static str {
        "lambda"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["event_source_arn"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let source = attrs::required_string(desired, "event_source_arn")?;
        let function = attrs::required_string(desired, "function_name")?;
        let batch_size = attrs::int32(desired, "batch_size")?;
        let window = attrs::int32(desired, "maximum_batching_window_in_seconds")?;
        let types = response_types(desired)?;
        let enabled = attrs::boolean(desired, "enabled")?.unwrap_or(true);

        let created = wait::retry_while(ctx.env.component_timeout, iam_propagating, || {
            client
                .create_event_source_mapping()
                .event_source_arn(source)
                .function_name(function)
                .set_batch_size(batch_size)
                .set_maximum_batching_window_in_seconds(window)
                .set_function_response_types((!types.is_empty()).then(|| types.clone()))
                .enabled(enabled)
                .send()
        })
        .await
        .map_err(|e| aws_error("CreateEventSourceMapping", e))?;
        let uuid = created
            .uuid()
            .ok_or_else(|| DriverError::new("CreateEventSourceMapping: the answer has no UUID"))?;

        let mut state = desired.clone();
        state.insert("id".into(), json!(uuid));
        let settled = wait_settled(ctx, &client, uuid).await.after_create(&state)?;
        mapping_state(desired, &settled).after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        match find_mapping(&client, state_id(state)?).await? {
            Some(out) => mapping_state(state, &out).map(Some),
            None => Ok(None),
        }
    }

    /// ListEventSourceMappings of the (already adopted) function and source: the function's
    /// ownership stands for the mapping's (its tags are not read).
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let function = attrs::required_string(desired, "function_name")?;
        // Filtered by source only: `function_name` may be a name or an ARN, and emulators
        // compare it literally.
        let out = client(ctx)
            .list_event_source_mappings()
            .event_source_arn(attrs::required_string(desired, "event_source_arn")?)
            .send()
            .await;
        let Some(out) = found("ListEventSourceMappings", NOT_FOUND, out)? else {
            return Ok(None);
        };
        let mine = out
            .event_source_mappings()
            .iter()
            .filter(|m| {
                m.function_arn()
                    .is_some_and(|arn| function_name(desired, arn) == function)
            })
            .find_map(|m| m.uuid());
        match mine {
            Some(uuid) => adopt(self, ctx, desired, uuid, false).await,
            None => Ok(None),
        }
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let uuid = state_id(state)?;
        let function = attrs::required_string(desired, "function_name")?;
        let batch_size = attrs::int32(desired, "batch_size")?;
        let window = attrs::int32(desired, "maximum_batching_window_in_seconds")?;
        // An absent list clears the response types, as in `hashicorp/aws`.
        let types = response_types(desired)?;
        let enabled = attrs::boolean(desired, "enabled")?.unwrap_or(true);

        wait_settled(ctx, &client, uuid).await?;
        wait::retry_while(
            ctx.env.component_timeout,
            |e| in_use(e) || iam_propagating(e),
            || {
                client
                    .update_event_source_mapping()
                    .uuid(uuid)
                    .function_name(function)
                    .set_batch_size(batch_size)
                    .set_maximum_batching_window_in_seconds(window)
                    .set_function_response_types(Some(types.clone()))
                    .enabled(enabled)
                    .send()
            },
        )
        .await
        .map_err(|e| aws_error("UpdateEventSourceMapping", e))?;

        let settled = wait_settled(ctx, &client, uuid).await?;
        mapping_state(desired, &settled)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let uuid = state_id(state)?;
        let timeout = ctx.env.component_timeout;
        let deleted = wait::retry_while(timeout, in_use, || {
            client.delete_event_source_mapping().uuid(uuid).send()
        })
        .await;
        match deleted {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            // Whatever the error, a mapping that no longer exists is deleted (a concurrent
            // delete, or an endpoint answering 404 without an error code).
            Err(e) => {
                if find_mapping(&client, uuid).await?.is_some() {
                    return Err(aws_error("DeleteEventSourceMapping", e));
                }
                return Ok(());
            }
        }
        wait::until_gone(&format!("event source mapping {uuid} to be deleted"), timeout, || {
            find_mapping(&client, uuid)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prior(name: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("function_name".into(), json!(name));
        m
    }

    #[test]
    fn function_name_keeps_the_configured_form() {
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:worker";
        assert_eq!(function_name(&prior("worker"), arn), "worker");
        assert_eq!(function_name(&prior(arn), arn), arn);
        assert_eq!(function_name(&prior("other"), arn), "worker");
        assert_eq!(function_name(&Map::new(), arn), "worker");
    }

    #[test]
    fn iam_propagation_errors_are_recognised() {
        use aws_smithy_types::error::ErrorMetadata;
        let e = ErrorMetadata::builder()
            .code("InvalidParameterValueException")
            .message("The provided execution role does not have permissions to call ReceiveMessage on SQS")
            .build();
        assert!(iam_propagating(&e));
        let e = ErrorMetadata::builder()
            .code("InvalidParameterValueException")
            .message("Unsupported event source type")
            .build();
        assert!(!iam_propagating(&e));
    }
}
