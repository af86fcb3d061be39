//! AWS component drivers: one file per `hashicorp/aws` resource type that a blueprint
//! expands into. A driver creates, reads, updates and deletes one child resource; the
//! orchestrator (`apply.rs`) decides order, concurrency and partial state.
//!
//! Attribute values use Terraform's JSON shape of the `hashicorp/aws` resource: attribute
//! names as in its schema, nested blocks as arrays of objects.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{Map, Value};

pub mod apigatewayv2_api;
pub mod apigatewayv2_authorizer;
pub mod apigatewayv2_integration;
pub mod apigatewayv2_route;
pub mod apigatewayv2_stage;
pub mod arn;
pub mod attrs;
pub mod autoscaling_group;
pub mod autoscaling_policy;
pub mod cloudfront_distribution;
pub mod cloudwatch_log_group;
pub mod cloudwatch_metric_alarm;
pub mod cognito_user_pool;
pub mod cognito_user_pool_client;
pub mod data_caller_identity;
pub mod db_subnet_group;
pub mod dynamodb_table;
pub mod ec2_tags;
pub mod eip;
pub mod ephemeral_secretsmanager_random_password;
pub mod ephemeral_secretsmanager_secret_version;
pub mod flow_log;
pub mod iam_role;
pub mod iam_role_policy;
pub mod internet_gateway;
pub mod kms_alias;
pub mod kms_key;
pub mod lambda_event_source_mapping;
pub mod lambda_function;
pub mod launch_template;
pub mod lb;
pub mod lb_listener;
pub mod lb_target_group;
pub mod nat_gateway;
pub mod normalise;
pub mod policy_json;
pub mod rds_cluster;
pub mod rds_cluster_instance;
pub mod rds_global_cluster;
pub mod route53_health_check;
pub mod route53_record;
pub mod route_table;
pub mod route_table_association;
pub mod s3_bucket;
pub mod s3_bucket_lifecycle_configuration;
pub mod s3_bucket_policy;
pub mod s3_bucket_public_access_block;
pub mod s3_bucket_replication_configuration;
pub mod s3_bucket_server_side_encryption_configuration;
pub mod s3_bucket_versioning;
pub mod s3_client;
pub mod secretsmanager_secret;
pub mod secretsmanager_secret_version;
pub mod security_group;
pub mod security_group_rule;
pub mod sns_topic;
pub mod sns_topic_subscription;
pub mod sqs_queue;
pub mod subnet;
pub mod tags;
pub mod vpc;
pub mod vpc_security_group_egress_rule;
pub mod vpc_security_group_ingress_rule;
pub mod wafv2_web_acl;
pub mod wafv2_web_acl_association;
pub mod wait;

/// Tag keys every child carries, so orphans are findable and a re-apply can adopt them.
pub const COMPOSITE_TAG: &str = "wellarch:composite";
pub const COMPONENT_TAG: &str = "wellarch:component";

/// Shared AWS configuration: credentials chain, default region, endpoint overrides.
#[derive(Clone, Debug)]
pub struct AwsEnv {
    pub base: aws_types::SdkConfig,
    /// Per-service endpoint URLs from the provider's `endpoints {}` block, keyed by the
    /// service names of that block (`sqs`, `iam`, `apigatewayv2`, `cognitoidp`, …).
    pub endpoints: HashMap<String, String>,
    /// How long one component may take to converge (create + waits) before it fails.
    pub component_timeout: Duration,
}

impl AwsEnv {
    /// Configuration for `service` in `region` (the provider's region when `None`), with
    /// the `endpoints {}` override for that service applied.
    pub fn config(&self, service: &str, region: Option<&str>) -> aws_types::SdkConfig {
        let mut builder = self.base.to_builder();
        if let Some(region) = region {
            builder = builder.region(aws_types::region::Region::new(region.to_string()));
        }
        if let Some(url) = self.endpoints.get(service) {
            // Without the empty service config, AWS_ENDPOINT_URL(_<SERVICE>) from the
            // environment would win over the provider block.
            builder = builder.endpoint_url(url.clone()).service_config(NoServiceConfig);
        }
        builder.build()
    }
}

/// Service configuration that answers nothing, so an `endpoints {}` override is final.
#[derive(Debug)]
struct NoServiceConfig;

impl aws_types::service_config::LoadServiceConfig for NoServiceConfig {
    fn load_config(&self, _key: aws_types::service_config::ServiceConfigKey<'_>) -> Option<String> {
        None
    }
}

/// Everything a driver needs to act on one child.
#[derive(Clone, Debug)]
pub struct ChildCtx<'a> {
    pub env: &'a AwsEnv,
    /// `None`: the provider's region.
    pub region: Option<&'a str>,
    /// Tags to put on the child: the provider's `default_tags`, the composite's `tags`, and
    /// [`COMPOSITE_TAG`] / [`COMPONENT_TAG`].
    pub tags: &'a BTreeMap<String, String>,
    /// `wellarch_burst_tolerant_api.orders`
    pub composite: &'a str,
    /// `aws_sqs_queue.jobs`
    pub component: &'a str,
}

impl ChildCtx<'_> {
    pub fn config(&self, service: &str) -> aws_types::SdkConfig {
        self.env.config(service, self.region)
    }
}

/// Why a driver call failed, with the AWS operation that failed.
#[derive(Clone, Debug, PartialEq)]
pub struct DriverError {
    pub message: String,
    /// Set by `create` when the resource was made but a later step failed (a wait timed
    /// out, tagging failed): the orchestrator records it so nothing is orphaned.
    pub created: Option<ChildState>,
}

impl DriverError {
    pub fn new(message: impl Into<String>) -> Self {
        DriverError {
            message: message.into(),
            created: None,
        }
    }

    /// A `create` failure after the resource came to exist.
    pub fn after_create(message: impl Into<String>, state: ChildState) -> Self {
        DriverError {
            message: message.into(),
            created: Some(state),
        }
    }
}

/// For `create`: once AWS has made the resource, a later failure (a wait timing out,
/// tagging, a second configuration call) must carry the state known so far, so the
/// orchestrator records the resource instead of orphaning it.
pub trait AfterCreate<T> {
    /// This result, an error turned into [`DriverError::after_create`] with `state` (an
    /// error that already carries a state keeps it).
    fn after_create(self, state: &ChildState) -> Result<T, DriverError>;
}

impl<T> AfterCreate<T> for Result<T, DriverError> {
    fn after_create(self, state: &ChildState) -> Result<T, DriverError> {
        self.map_err(|e| match e.created {
            Some(_) => e,
            None => DriverError::after_create(e.message, state.clone()),
        })
    }
}

impl std::fmt::Display for DriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DriverError {}

/// An SDK error as `Operation: Code: message`, the way AWS users recognise it.
pub fn aws_error<E>(operation: &str, err: E) -> DriverError
where
    E: ProvideErrorMetadata + std::error::Error,
{
    match (err.code(), err.message()) {
        (Some(code), Some(message)) => DriverError::new(format!("{operation}: {code}: {message}")),
        (Some(code), None) => DriverError::new(format!("{operation}: {code}")),
        _ => DriverError::new(format!("{operation}: {}", DisplayErrorContext(&err))),
    }
}

/// Whether an SDK error carries one of `codes` (e.g. a not-found code, which `read` turns
/// into `None` and `delete` into success).
pub fn has_code<E: ProvideErrorMetadata>(err: &E, codes: &[&str]) -> bool {
    err.code().is_some_and(|c| codes.contains(&c))
}

/// The answer of a call on a resource that may not exist: `None` when AWS says it does not
/// (one of `not_found`), so `read` can report it gone and `delete` can succeed.
pub fn found<T, E>(operation: &str, not_found: &[&str], result: Result<T, E>) -> Result<Option<T>, DriverError>
where
    E: ProvideErrorMetadata + std::error::Error,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if has_code(&e, not_found) => Ok(None),
        Err(e) => Err(aws_error(operation, e)),
    }
}

/// An SDK builder's error (a required field left out) as a driver error naming `what`.
pub fn build_error<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> DriverError + '_ {
    move |e| DriverError::new(format!("{what}: {e}"))
}

/// The state of one child: `id` plus the attributes the driver read back (what other
/// components refer to, such as `arn` or `url`, and the managed attributes used to detect drift).
pub type ChildState = Map<String, Value>;

/// One `hashicorp/aws` resource type.
#[async_trait]
pub trait Driver: Send + Sync {
    /// `aws_sqs_queue`
    fn resource_type(&self) -> &'static str;

    /// The endpoint service name (`endpoints {}` key) this driver talks to.
    fn service(&self) -> &'static str;

    /// Attributes whose change needs a new resource (AWS cannot change them in place).
    fn replace_on(&self) -> &'static [&'static str] {
        &[]
    }

    /// Creates the child from its desired attributes and returns its state.
    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError>;

    /// Reads the child back; `None` when it no longer exists. The returned state uses the
    /// same attribute names as `desired`, with the values AWS has now.
    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError>;

    /// Changes the child in place to match `desired`.
    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError>;

    /// Deletes the child and waits until it is gone. Deleting a child that is already gone
    /// succeeds.
    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError>;

    /// The existing resource that `desired` would create, if it exists and belongs to this
    /// composite (tagged [`COMPOSITE_TAG`] = `ctx.composite`, or, when the service cannot tag
    /// it, under a parent named in `desired` that was adopted first). Returns what `read`
    /// would, so the orchestrator adopts it instead of creating a duplicate (import, and a
    /// re-apply after a crash).
    async fn find(
        &self,
        _ctx: &ChildCtx<'_>,
        _desired: &Map<String, Value>,
    ) -> Result<Option<ChildState>, DriverError> {
        Ok(None)
    }
}

/// A data source (`data "aws_caller_identity"`) or an ephemeral resource (`ephemeral
/// "aws_secretsmanager_random_password"`): nothing is created; the orchestrator reads it when
/// an apply needs its attributes. Ephemeral results are never stored in state.
#[async_trait]
pub trait DataDriver: Send + Sync {
    /// `aws_caller_identity`
    fn source_type(&self) -> &'static str;

    /// The endpoint service name (`endpoints {}` key) this source talks to.
    fn service(&self) -> &'static str;

    /// The source's attributes for the arguments in `desired`.
    async fn read(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Map<String, Value>, DriverError>;
}

/// The data source driver for `source_type`, if there is one.
pub fn data_source(source_type: &str) -> Option<&'static dyn DataDriver> {
    data_sources().into_iter().find(|d| d.source_type() == source_type)
}

/// Every data source driver.
pub fn data_sources() -> Vec<&'static dyn DataDriver> {
    vec![&data_caller_identity::CallerIdentity]
}

/// The ephemeral resource driver for `source_type`, if there is one.
pub fn ephemeral_resource(source_type: &str) -> Option<&'static dyn DataDriver> {
    ephemeral_resources()
        .into_iter()
        .find(|d| d.source_type() == source_type)
}

/// Every ephemeral resource driver: values a child needs once (a generated password) and
/// that must never reach state.
pub fn ephemeral_resources() -> Vec<&'static dyn DataDriver> {
    vec![
        &ephemeral_secretsmanager_random_password::SecretsmanagerRandomPassword,
        &ephemeral_secretsmanager_secret_version::SecretsmanagerSecretVersionEphemeral,
    ]
}

/// For `find`: the state `read` gives for the resource `id` that `desired` describes (read
/// seeded with `desired`, which names parents such as `api_id` or `bucket`). With `tagged`, a
/// resource whose `tags_all` lacks this composite's tag is someone else's and is left alone.
pub async fn adopt<D: Driver + ?Sized>(
    driver: &D,
    ctx: &ChildCtx<'_>,
    desired: &Map<String, Value>,
    id: &str,
    tagged: bool,
) -> Result<Option<ChildState>, DriverError> {
    let mut seed = desired.clone();
    seed.insert("id".into(), Value::String(id.to_string()));
    let Some(state) = driver.read(ctx, &seed).await? else {
        return Ok(None);
    };
    let owner = state
        .get("tags_all")
        .and_then(|t| t.get(COMPOSITE_TAG))
        .and_then(Value::as_str);
    if tagged && owner != Some(ctx.composite) {
        return Ok(None);
    }
    Ok(Some(state))
}

/// The driver for `resource_type`, if there is one.
pub fn driver(resource_type: &str) -> Option<&'static dyn Driver> {
    drivers().into_iter().find(|d| d.resource_type() == resource_type)
}

/// Every driver, one per file of this module.
pub fn drivers() -> Vec<&'static dyn Driver> {
    vec![
        &apigatewayv2_api::ApiGatewayV2Api,
        &apigatewayv2_authorizer::ApiGatewayV2Authorizer,
        &apigatewayv2_integration::ApiGatewayV2Integration,
        &apigatewayv2_route::ApiGatewayV2Route,
        &apigatewayv2_stage::ApiGatewayV2Stage,
        &cloudfront_distribution::CloudFrontDistribution,
        &route53_record::Route53Record,
        &route53_health_check::Route53HealthCheck,
        &wafv2_web_acl::Wafv2WebAcl,
        &wafv2_web_acl_association::Wafv2WebAclAssociation,
        &lb::Lb,
        &lb_target_group::LbTargetGroup,
        &lb_listener::LbListener,
        &iam_role::IamRole,
        &iam_role_policy::IamRolePolicy,
        &lambda_function::LambdaFunction,
        &lambda_event_source_mapping::LambdaEventSourceMapping,
        &cognito_user_pool::CognitoUserPool,
        &cognito_user_pool_client::CognitoUserPoolClient,
        &sqs_queue::SqsQueue,
        &sns_topic::SnsTopic,
        &sns_topic_subscription::SnsTopicSubscription,
        &dynamodb_table::DynamodbTable,
        &s3_bucket::S3Bucket,
        &s3_bucket_versioning::S3BucketVersioning,
        &s3_bucket_server_side_encryption_configuration::S3BucketServerSideEncryptionConfiguration,
        &s3_bucket_lifecycle_configuration::S3BucketLifecycleConfiguration,
        &s3_bucket_public_access_block::S3BucketPublicAccessBlock,
        &s3_bucket_policy::S3BucketPolicy,
        &s3_bucket_replication_configuration::S3BucketReplicationConfiguration,
        &kms_key::KmsKey,
        &kms_alias::KmsAlias,
        &cloudwatch_log_group::CloudwatchLogGroup,
        &cloudwatch_metric_alarm::CloudwatchMetricAlarm,
        &launch_template::Ec2LaunchTemplate,
        &autoscaling_group::AutoscalingGroup,
        &autoscaling_policy::AutoscalingPolicy,
        &rds_global_cluster::RdsGlobalCluster,
        &db_subnet_group::DbSubnetGroup,
        &rds_cluster::RdsCluster,
        &rds_cluster_instance::RdsClusterInstance,
        &secretsmanager_secret::SecretsmanagerSecret,
        &secretsmanager_secret_version::SecretsmanagerSecretVersion,
        &vpc::Vpc,
        &subnet::Subnet,
        &internet_gateway::InternetGateway,
        &eip::Eip,
        &nat_gateway::NatGateway,
        &route_table::RouteTable,
        &route_table_association::RouteTableAssociation,
        &security_group::SecurityGroup,
        &vpc_security_group_ingress_rule::VpcSecurityGroupIngressRule,
        &vpc_security_group_egress_rule::VpcSecurityGroupEgressRule,
        &flow_log::FlowLog,
    ]
}

/// The `id` of a child state, or an error naming the component.
pub fn state_id(state: &ChildState) -> Result<&str, DriverError> {
    state
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| DriverError::new("child state has no id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_type_has_one_driver() {
        let mut types: Vec<&str> = drivers().iter().map(|d| d.resource_type()).collect();
        let all = types.len();
        types.sort_unstable();
        types.dedup();
        assert_eq!(types.len(), all, "a resource type is registered twice: {types:?}");
        assert!(driver("aws_s3_bucket_lifecycle_configuration").is_some());
    }
}
