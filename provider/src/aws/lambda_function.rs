//! `aws_lambda_function`: a zip-packaged Lambda function, its configuration, reserved
//! concurrency and tags.
//!
//! The code comes from `filename` (a local zip read at apply time) or `s3_bucket` +
//! `s3_key`. `source_code_hash` is the base64 SHA-256 of the zip, which is also what Lambda
//! reports as `CodeSha256`, so a changed local zip reads as a change and is uploaded by
//! `update`. A role created moments earlier is not yet assumable by Lambda; that one error
//! is retried until the component timeout.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::operation::get_function::GetFunctionOutput;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    Environment, FunctionCode, FunctionConfiguration, LastUpdateStatus, Runtime, State, TracingConfig, TracingMode,
};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::attrs;
use super::tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, has_code, state_id};

/// The driver for `aws_lambda_function`.
pub struct LambdaFunction;

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

/// `hashicorp/aws`'s value of `reserved_concurrent_executions` for "no reservation".
const UNRESERVED: i64 = -1;

/// Attributes naming where the code came from: not readable from Lambda, carried over.
const CODE_SOURCE: &[&str] = &["filename", "s3_bucket", "s3_key", "s3_object_version"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("lambda"))
}

/// Lambda's answer for a role IAM has not propagated yet (seconds after `CreateRole`).
fn role_not_yet_assumable<E: ProvideErrorMetadata>(err: &E) -> bool {
    has_code(err, &["InvalidParameterValueException"])
        && err.message().is_some_and(|m| m.contains("cannot be assumed by Lambda"))
}

/// base64 SHA-256 of a deployment package: `hashicorp/aws`'s `source_code_hash` and
/// Lambda's `CodeSha256`.
pub fn zip_hash(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

async fn read_zip(path: &str) -> Result<Vec<u8>, DriverError> {
    tokio::fs::read(path)
        .await
        .map_err(|e| DriverError::new(format!("filename {path:?}: cannot read the deployment package: {e}")))
}

/// `source_code_hash` of the zip at `path`, for planning: a different value than the
/// state's means the code changed.
pub async fn source_code_hash(path: &str) -> Result<String, DriverError> {
    Ok(zip_hash(&read_zip(path).await?))
}

/// Where the code comes from.
enum Code {
    Zip {
        bytes: Vec<u8>,
        hash: String,
    },
    S3 {
        bucket: String,
        key: String,
        version: Option<String>,
    },
}

impl Code {
    async fn from_desired(desired: &Map<String, Value>) -> Result<Code, DriverError> {
        if let Some(path) = attrs::string(desired, "filename")? {
            let bytes = read_zip(path).await?;
            let hash = zip_hash(&bytes);
            return Ok(Code::Zip { bytes, hash });
        }
        match (attrs::string(desired, "s3_bucket")?, attrs::string(desired, "s3_key")?) {
            (Some(bucket), Some(key)) => Ok(Code::S3 {
                bucket: bucket.to_string(),
                key: key.to_string(),
                version: attrs::owned_string(desired, "s3_object_version")?,
            }),
            _ => Err(DriverError::new(
                "aws_lambda_function needs `filename`, or `s3_bucket` and `s3_key`",
            )),
        }
    }

    fn function_code(&self) -> FunctionCode {
        match self {
            Code::Zip { bytes, .. } => FunctionCode::builder().zip_file(Blob::new(bytes.clone())).build(),
            Code::S3 { bucket, key, version } => FunctionCode::builder()
                .s3_bucket(bucket)
                .s3_key(key)
                .set_s3_object_version(version.clone())
                .build(),
        }
    }
}

/// The configuration attributes of `desired`, parsed once.
struct Settings {
    role: String,
    runtime: Option<String>,
    handler: Option<String>,
    memory_size: Option<i32>,
    timeout: Option<i32>,
    /// `None`: no `environment` block.
    variables: Option<BTreeMap<String, String>>,
    tracing_mode: Option<String>,
    /// `None` or negative: no reservation.
    reserved: Option<i32>,
}

impl Settings {
    fn from_desired(desired: &Map<String, Value>) -> Result<Settings, DriverError> {
        let variables = match attrs::block(desired, "environment")? {
            Some(env) => Some(attrs::string_map(env, "variables")?),
            None => None,
        };
        let tracing_mode = match attrs::block(desired, "tracing_config")? {
            Some(tc) => attrs::owned_string(tc, "mode")?,
            None => None,
        };
        Ok(Settings {
            role: attrs::required_string(desired, "role")?.to_string(),
            runtime: attrs::owned_string(desired, "runtime")?,
            handler: attrs::owned_string(desired, "handler")?,
            memory_size: attrs::int32(desired, "memory_size")?,
            timeout: attrs::int32(desired, "timeout")?,
            variables,
            tracing_mode,
            reserved: attrs::int32(desired, "reserved_concurrent_executions")?,
        })
    }

    fn environment(&self) -> Option<Environment> {
        self.variables.as_ref().map(|vars| {
            Environment::builder()
                .set_variables(Some(vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect()))
                .build()
        })
    }

    fn tracing(&self) -> Option<TracingConfig> {
        self.tracing_mode
            .as_deref()
            .map(|m| TracingConfig::builder().mode(TracingMode::from(m)).build())
    }

    fn reservation(&self) -> Option<i32> {
        self.reserved.filter(|n| *n >= 0)
    }

    /// Whether `current` differs from these settings on anything `desired` set.
    fn differs_from(&self, current: &FunctionConfiguration) -> bool {
        let current_vars: BTreeMap<&str, &str> = current
            .environment()
            .and_then(|e| e.variables())
            .map(|vars| vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
            .unwrap_or_default();
        let wanted_vars: BTreeMap<&str, &str> = self
            .variables
            .iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let differs = |wanted: Option<&str>, now: Option<&str>| wanted.is_some() && wanted != now;
        current.role() != Some(self.role.as_str())
            || differs(self.runtime.as_deref(), current.runtime().map(Runtime::as_str))
            || differs(self.handler.as_deref(), current.handler())
            || self.memory_size.is_some_and(|m| current.memory_size() != Some(m))
            || self.timeout.is_some_and(|t| current.timeout() != Some(t))
            || wanted_vars != current_vars
            || differs(
                self.tracing_mode.as_deref(),
                current.tracing_config().and_then(|t| t.mode()).map(TracingMode::as_str),
            )
    }
}

/// `GetFunction`, `None` when the function does not exist.
async fn find_function(client: &Client, name: &str) -> Result<Option<GetFunctionOutput>, DriverError> {
    found(
        "GetFunction",
        NOT_FOUND,
        client.get_function().function_name(name).send().await,
    )
}

/// Waits until the function can be invoked (`State` Active) and its last update finished
/// (`LastUpdateStatus` Successful); a failed state is an error carrying Lambda's reason.
async fn wait_ready(ctx: &ChildCtx<'_>, client: &Client, name: &str) -> Result<(), DriverError> {
    wait::until(
        &format!("Lambda function {name} to be Active and updated"),
        ctx.env.component_timeout,
        || async move {
            let config = client
                .get_function_configuration()
                .function_name(name)
                .send()
                .await
                .map_err(|e| aws_error("GetFunctionConfiguration", e))?;
            match config.state() {
                Some(State::Failed) => {
                    return Err(DriverError::new(format!(
                        "Lambda function {name} failed: {}",
                        config.state_reason().unwrap_or("no reason given")
                    )));
                }
                Some(State::Active) | Some(State::Inactive) | None => {}
                Some(_) => return Ok(None),
            }
            match config.last_update_status() {
                Some(LastUpdateStatus::Failed) => Err(DriverError::new(format!(
                    "update of Lambda function {name} failed: {}",
                    config.last_update_status_reason().unwrap_or("no reason given")
                ))),
                Some(LastUpdateStatus::Successful) | None => Ok(Some(())),
                Some(_) => Ok(None),
            }
        },
    )
    .await
}

/// The state from `GetFunction`; `prior` supplies the code source and configured tags.
fn function_state(
    ctx: &ChildCtx<'_>,
    prior: &Map<String, Value>,
    out: &GetFunctionOutput,
) -> Result<ChildState, DriverError> {
    let config = out
        .configuration()
        .ok_or_else(|| DriverError::new("GetFunction: the answer has no configuration"))?;
    let name = config
        .function_name()
        .ok_or_else(|| DriverError::new("GetFunction: the answer has no function name"))?;
    let arn = config
        .function_arn()
        .ok_or_else(|| DriverError::new("GetFunction: the answer has no function ARN"))?;
    // arn:<partition>:lambda:<region>:<account>:function:<name>
    let parts: Vec<&str> = arn.split(':').collect();
    let (partition, region) = match parts.as_slice() {
        [_, partition, _, region, ..] => (*partition, *region),
        _ => return Err(DriverError::new(format!("GetFunction: unexpected function ARN {arn}"))),
    };
    let version = config.version().unwrap_or("$LATEST");
    let variables: HashMap<String, String> = config
        .environment()
        .and_then(|e| e.variables())
        .cloned()
        .unwrap_or_default();
    let environment = if variables.is_empty() {
        json!([])
    } else {
        json!([{ "variables": attrs::map_value(&variables) }])
    };
    let tracing_mode = config
        .tracing_config()
        .and_then(|t| t.mode())
        .map_or("PassThrough", TracingMode::as_str);
    let reserved = out
        .concurrency()
        .and_then(|c| c.reserved_concurrent_executions())
        .map_or(UNRESERVED, i64::from);
    let mut state = Map::new();
    state.insert("id".into(), json!(name));
    state.insert("arn".into(), json!(arn));
    state.insert(
        "invoke_arn".into(),
        json!(arn::build(
            partition,
            "apigateway",
            region,
            "lambda",
            &format!("path/2015-03-31/functions/{arn}/invocations")
        )),
    );
    state.insert("qualified_arn".into(), json!(format!("{arn}:{version}")));
    state.insert("version".into(), json!(version));
    state.insert("function_name".into(), json!(name));
    state.insert("role".into(), json!(config.role()));
    state.insert("runtime".into(), json!(config.runtime().map(Runtime::as_str)));
    state.insert("handler".into(), json!(config.handler()));
    state.insert("memory_size".into(), json!(config.memory_size()));
    state.insert("timeout".into(), json!(config.timeout()));
    state.insert("reserved_concurrent_executions".into(), json!(reserved));
    state.insert("environment".into(), environment);
    state.insert("tracing_config".into(), json!([{ "mode": tracing_mode }]));
    state.insert("source_code_hash".into(), json!(config.code_sha256()));
    for key in CODE_SOURCE {
        if let Some(v) = prior.get(*key).filter(|v| !v.is_null()) {
            state.insert((*key).to_string(), v.clone());
        }
    }
    tags::put_read_state(ctx, &mut state, prior, &tags::from_map(out.tags()))?;
    Ok(state)
}

async fn current_state(
    ctx: &ChildCtx<'_>,
    client: &Client,
    name: &str,
    prior: &Map<String, Value>,
) -> Result<ChildState, DriverError> {
    let out = find_function(client, name)
        .await?
        .ok_or_else(|| DriverError::new(format!("Lambda function {name} vanished")))?;
    function_state(ctx, prior, &out)
}

async fn put_concurrency(client: &Client, name: &str, reserved: i32) -> Result<(), DriverError> {
    client
        .put_function_concurrency()
        .function_name(name)
        .reserved_concurrent_executions(reserved)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error("PutFunctionConcurrency", e))
}

/// Whether the code in `state` differs from `code`.
fn code_changed(code: &Code, current: &FunctionConfiguration, state: &ChildState) -> bool {
    let prior = |key: &str| state.get(key).and_then(Value::as_str);
    match code {
        Code::Zip { hash, .. } => current.code_sha256() != Some(hash.as_str()),
        Code::S3 { bucket, key, version } => {
            prior("s3_bucket") != Some(bucket.as_str())
                || prior("s3_key") != Some(key.as_str())
                || prior("s3_object_version") != version.as_deref()
        }
    }
}

#[async_trait]
impl Driver for LambdaFunction {
    fn resource_type(&self) -> &'static str {
        "aws_lambda_function"
    }

    fn service(&self) -> &'static str {
        "lambda"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["function_name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "function_name")?;
        let settings = Settings::from_desired(desired)?;
        let code = Code::from_desired(desired).await?;
        let all_tags = tags::wanted(ctx, desired)?;
        let tags: HashMap<String, String> = all_tags.clone().into_iter().collect();

        wait::retry_while(ctx.env.component_timeout, role_not_yet_assumable, || {
            client
                .create_function()
                .function_name(name)
                .role(&settings.role)
                .set_runtime(settings.runtime.as_deref().map(Runtime::from))
                .set_handler(settings.handler.clone())
                .set_memory_size(settings.memory_size)
                .set_timeout(settings.timeout)
                .set_environment(settings.environment())
                .set_tracing_config(settings.tracing())
                .code(code.function_code())
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await
        .map_err(|e| aws_error("CreateFunction", e))?;

        let mut created = desired.clone();
        created.insert("id".into(), json!(name));
        tags::put_applied(&mut created, desired, &all_tags)?;
        if let Some(reserved) = settings.reservation() {
            put_concurrency(&client, name, reserved).await.after_create(&created)?;
        }
        wait_ready(ctx, &client, name).await.after_create(&created)?;
        current_state(ctx, &client, name, desired).await.after_create(&created)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        match find_function(&client, state_id(state)?).await? {
            Some(out) => function_state(ctx, state, &out).map(Some),
            None => Ok(None),
        }
    }

    /// The function of this name (GetFunction, as `read`), if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        adopt(
            self,
            ctx,
            desired,
            attrs::required_string(desired, "function_name")?,
            true,
        )
        .await
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let settings = Settings::from_desired(desired)?;
        let code = Code::from_desired(desired).await?;
        let out = find_function(&client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("Lambda function {name} no longer exists")))?;
        let current = out
            .configuration()
            .ok_or_else(|| DriverError::new("GetFunction: the answer has no configuration"))?;

        if settings.differs_from(current) {
            // An absent `environment` block clears the variables, as in `hashicorp/aws`.
            let environment = settings
                .environment()
                .unwrap_or_else(|| Environment::builder().set_variables(Some(HashMap::new())).build());
            wait::retry_while(ctx.env.component_timeout, role_not_yet_assumable, || {
                client
                    .update_function_configuration()
                    .function_name(name)
                    .role(&settings.role)
                    .set_runtime(settings.runtime.as_deref().map(Runtime::from))
                    .set_handler(settings.handler.clone())
                    .set_memory_size(settings.memory_size)
                    .set_timeout(settings.timeout)
                    .environment(environment.clone())
                    .set_tracing_config(settings.tracing())
                    .send()
            })
            .await
            .map_err(|e| aws_error("UpdateFunctionConfiguration", e))?;
            wait_ready(ctx, &client, name).await?;
        }

        if code_changed(&code, current, state) {
            let request = client.update_function_code().function_name(name);
            let request = match &code {
                Code::Zip { bytes, .. } => request.zip_file(Blob::new(bytes.clone())),
                Code::S3 { bucket, key, version } => request
                    .s3_bucket(bucket)
                    .s3_key(key)
                    .set_s3_object_version(version.clone()),
            };
            request.send().await.map_err(|e| aws_error("UpdateFunctionCode", e))?;
            wait_ready(ctx, &client, name).await?;
        }

        let current_reserved = out.concurrency().and_then(|c| c.reserved_concurrent_executions());
        match (settings.reservation(), current_reserved) {
            (Some(wanted), now) if now != Some(wanted) => put_concurrency(&client, name, wanted).await?,
            (None, Some(_)) => {
                client
                    .delete_function_concurrency()
                    .function_name(name)
                    .send()
                    .await
                    .map_err(|e| aws_error("DeleteFunctionConcurrency", e))?;
            }
            _ => {}
        }

        let arn = current
            .function_arn()
            .ok_or_else(|| DriverError::new("GetFunction: the answer has no function ARN"))?;
        let client = &client;
        tags::sync(
            &tags::from_map(out.tags()),
            &tags::wanted(ctx, desired)?,
            |keys| async move {
                client
                    .untag_resource()
                    .resource(arn)
                    .set_tag_keys(Some(keys))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_error("UntagResource", e))
            },
            |set| async move {
                client
                    .tag_resource()
                    .resource(arn)
                    .set_tags(Some(set.into_iter().collect()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_error("TagResource", e))
            },
        )
        .await?;

        current_state(ctx, client, name, desired).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let deleted = client.delete_function().function_name(name).send().await;
        if found("DeleteFunction", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("Lambda function {name} to be deleted"),
            ctx.env.component_timeout,
            || find_function(&client, name),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_hash_is_base64_sha256() {
        // SHA-256 of the empty input, base64: the value `filebase64sha256` gives.
        assert_eq!(zip_hash(b""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    #[test]
    fn role_propagation_is_recognised_by_code_and_message() {
        use aws_smithy_types::error::ErrorMetadata;
        let propagating = ErrorMetadata::builder()
            .code("InvalidParameterValueException")
            .message("The role defined for the function cannot be assumed by Lambda.")
            .build();
        assert!(role_not_yet_assumable(&propagating));
        let other = ErrorMetadata::builder()
            .code("InvalidParameterValueException")
            .message("Unzipped size must be smaller than 262144000 bytes")
            .build();
        assert!(!role_not_yet_assumable(&other));
    }
}
