//! `aws_lb`: an Application (or Network) Load Balancer. CreateLoadBalancer /
//! DescribeLoadBalancers / SetSecurityGroups / SetSubnets / ModifyLoadBalancerAttributes /
//! DeleteLoadBalancer.
//!
//! The settings hashicorp/aws exposes as plain attributes (`idle_timeout`,
//! `drop_invalid_header_fields`, `enable_deletion_protection`, `access_logs`) are load balancer
//! attributes in the API, set after the load balancer exists. The ELBv2 tag helpers shared by
//! the target group and listener drivers live here too.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    LoadBalancer, LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerStateEnum, LoadBalancerTypeEnum, Tag,
};
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::wait::{self, Waiter};
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct Lb;

const NOT_FOUND: &[&str] = &["LoadBalancerNotFound"];
/// AWS limits load balancer names to 32 characters.
const MAX_NAME: usize = 32;
/// How long a delete waits for the load balancer's network interfaces to go: they hold the
/// subnets and security groups a later delete needs, but they are AWS's to release.
const ENI_WAIT: Duration = Duration::from_secs(300);

const IDLE_TIMEOUT: &str = "idle_timeout.timeout_seconds";
const DROP_INVALID_HEADERS: &str = "routing.http.drop_invalid_header_fields.enabled";
const DELETION_PROTECTION: &str = "deletion_protection.enabled";
const LOGS_ENABLED: &str = "access_logs.s3.enabled";
const LOGS_BUCKET: &str = "access_logs.s3.bucket";
const LOGS_PREFIX: &str = "access_logs.s3.prefix";

/// The ELBv2 client for the child's region.
pub(crate) fn elb_client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("elbv2"))
}

/// The part of an ELBv2 ARN after the resource type (`app/web/50dc6c495c0c9188`,
/// `targetgroup/web/73e2d6bc24d8a067`): what CloudWatch metrics dimensions use.
pub(crate) fn arn_suffix(arn: &str, after: &str) -> String {
    arn.split_once(after)
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

/// Tags as ELBv2 takes them.
pub(crate) fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// DescribeTags of one ELBv2 resource.
pub(crate) async fn elb_tags(client: &Client, arn: &str) -> Result<Tags, DriverError> {
    let out = client
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .map_err(|e| aws_error("DescribeTags", e))?;
    Ok(out
        .tag_descriptions()
        .iter()
        .filter(|d| d.resource_arn() == Some(arn))
        .flat_map(|d| d.tags())
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .collect())
}

/// Brings an ELBv2 resource's tags to `wanted` (RemoveTags, then AddTags).
pub(crate) async fn sync_elb_tags(client: &Client, arn: &str, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        &elb_tags(client, arn).await?,
        wanted,
        |keys| async move {
            client
                .remove_tags()
                .resource_arns(arn)
                .set_tag_keys(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("RemoveTags", e))
        },
        |set| async move {
            client
                .add_tags()
                .resource_arns(arn)
                .set_tags(Some(sdk_tags(&set)))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("AddTags", e))
        },
    )
    .await
}

/// A string-set attribute as read from AWS, in the prior order when it has the same members.
pub(crate) fn set_value(prior: Option<&Value>, actual: &[String]) -> Value {
    let mut sorted: Vec<&String> = actual.iter().collect();
    sorted.sort();
    sorted.dedup();
    normalise::set_like_prior(prior, sorted.into_iter().map(|s| attrs::text(s)).collect())
}

/// Whether two string lists hold the same members.
fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<&String> = a.iter().collect();
    let mut b: Vec<&String> = b.iter().collect();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// The load balancer settings of `desired`, checked.
struct Spec {
    name: String,
    internal: bool,
    kind: LoadBalancerTypeEnum,
    security_groups: Vec<String>,
    subnets: Vec<String>,
}

impl Spec {
    fn parse(desired: &Attrs) -> Result<Self, DriverError> {
        let name = attrs::required_string(desired, "name")?.to_string();
        if name.len() > MAX_NAME {
            return Err(DriverError::new(format!(
                "attribute `name`: {name} is longer than {MAX_NAME} characters"
            )));
        }
        let kind = match attrs::string(desired, "load_balancer_type")?.unwrap_or("application") {
            "application" => LoadBalancerTypeEnum::Application,
            "network" => LoadBalancerTypeEnum::Network,
            "gateway" => LoadBalancerTypeEnum::Gateway,
            other => {
                return Err(DriverError::new(format!(
                    "attribute `load_balancer_type`: expected application, network or gateway, got {other}"
                )));
            }
        };
        Ok(Spec {
            name,
            internal: attrs::boolean(desired, "internal")?.unwrap_or(false),
            kind,
            security_groups: attrs::string_list(desired, "security_groups")?,
            subnets: attrs::string_list(desired, "subnets")?,
        })
    }

    fn scheme(&self) -> LoadBalancerSchemeEnum {
        if self.internal {
            LoadBalancerSchemeEnum::Internal
        } else {
            LoadBalancerSchemeEnum::InternetFacing
        }
    }
}

/// One load balancer attribute this driver manages: the API key, its value when the
/// configuration sets it, and the value AWS has when nothing set it.
struct Setting {
    key: &'static str,
    wanted: Option<String>,
    default: &'static str,
}

/// The managed attributes: `idle_timeout` and `drop_invalid_header_fields` exist for
/// Application Load Balancers only. `access_logs` off sends only the switch, as
/// hashicorp/aws does (AWS keeps the bucket it had).
fn settings(desired: &Attrs, kind: &LoadBalancerTypeEnum) -> Result<Vec<Setting>, DriverError> {
    let application = *kind == LoadBalancerTypeEnum::Application;
    let mut out = Vec::new();
    let idle = attrs::int(desired, "idle_timeout")?;
    let drop = attrs::boolean(desired, "drop_invalid_header_fields")?;
    if application {
        out.push(Setting {
            key: IDLE_TIMEOUT,
            wanted: idle.map(|n| n.to_string()),
            default: "60",
        });
        out.push(Setting {
            key: DROP_INVALID_HEADERS,
            wanted: drop.map(|b| b.to_string()),
            default: "false",
        });
    } else if idle.is_some() || drop == Some(true) {
        return Err(DriverError::new(
            "`idle_timeout` and `drop_invalid_header_fields` apply to application load balancers only",
        ));
    }
    out.push(Setting {
        key: DELETION_PROTECTION,
        wanted: attrs::boolean(desired, "enable_deletion_protection")?.map(|b| b.to_string()),
        default: "false",
    });
    let logs = attrs::block(desired, "access_logs")?;
    let enabled = match logs {
        Some(l) => {
            attrs::only_supported(l, "access_logs", &["bucket", "prefix", "enabled"])?;
            attrs::boolean(l, "enabled")?.unwrap_or(false)
        }
        None => false,
    };
    out.push(Setting {
        key: LOGS_ENABLED,
        wanted: logs.map(|_| enabled.to_string()),
        default: "false",
    });
    if let Some(l) = logs {
        let bucket = attrs::owned_string(l, "bucket")?;
        if enabled && bucket.is_none() {
            return Err(DriverError::new(
                "access_logs: `bucket` is required when `enabled` is true",
            ));
        }
        if bucket.is_some() || enabled {
            out.push(Setting {
                key: LOGS_BUCKET,
                wanted: bucket,
                default: "",
            });
            out.push(Setting {
                key: LOGS_PREFIX,
                wanted: Some(attrs::owned_string(l, "prefix")?.unwrap_or_default()),
                default: "",
            });
        }
    }
    Ok(out)
}

fn lb_attribute(key: &str, value: &str) -> LoadBalancerAttribute {
    LoadBalancerAttribute::builder().key(key).value(value).build()
}

async fn find_lb(client: &Client, arn: &str) -> Result<Option<LoadBalancer>, DriverError> {
    let out = client.describe_load_balancers().load_balancer_arns(arn).send().await;
    Ok(found("DescribeLoadBalancers", NOT_FOUND, out)?.and_then(|o| o.load_balancers().first().cloned()))
}

async fn find_attributes(client: &Client, arn: &str) -> Result<HashMap<String, String>, DriverError> {
    let out = client
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(|e| aws_error("DescribeLoadBalancerAttributes", e))?;
    Ok(out
        .attributes()
        .iter()
        .filter_map(|a| Some((a.key()?.to_string(), a.value().unwrap_or_default().to_string())))
        .collect())
}

/// Waits until the load balancer is `active`; `failed` ends the wait with AWS's reason.
async fn wait_active(ctx: &ChildCtx<'_>, client: &Client, arn: &str) -> Result<LoadBalancer, DriverError> {
    wait::until(
        &format!("load balancer {arn} to become active"),
        ctx.env.component_timeout,
        || async {
            let lb = find_lb(client, arn)
                .await?
                .ok_or_else(|| DriverError::new(format!("load balancer {arn} disappeared")))?;
            let state = lb.state();
            match state.and_then(|s| s.code()) {
                Some(LoadBalancerStateEnum::Active) => Ok(Some(lb)),
                Some(LoadBalancerStateEnum::Failed) => Err(DriverError::new(format!(
                    "load balancer {arn} failed: {}",
                    state.and_then(|s| s.reason()).unwrap_or("no reason given")
                ))),
                _ => Ok(None),
            }
        },
    )
    .await
}

/// ModifyLoadBalancerAttributes for the settings whose value differs from `current` (the
/// AWS default when AWS does not list it). `all`: settings the configuration leaves out are
/// brought back to their default too (an update); otherwise only configured ones (a create).
async fn apply_settings(
    client: &Client,
    arn: &str,
    settings: &[Setting],
    current: &HashMap<String, String>,
    all: bool,
) -> Result<(), DriverError> {
    let changes: Vec<LoadBalancerAttribute> = settings
        .iter()
        .filter_map(|s| {
            let wanted = match (&s.wanted, all) {
                (Some(w), _) => w.as_str(),
                (None, true) => s.default,
                (None, false) => return None,
            };
            let have = current.get(s.key).map(String::as_str).unwrap_or(s.default);
            (wanted != have).then(|| lb_attribute(s.key, wanted))
        })
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    client
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .set_attributes(Some(changes))
        .send()
        .await
        .map_err(|e| aws_error("ModifyLoadBalancerAttributes", e))?;
    Ok(())
}

/// The state of load balancer `lb` as AWS has it; `prior` (the previous state, or `desired`
/// on create and update) gives set orders, the type of `access_logs` and the own tags.
async fn state_of(
    ctx: &ChildCtx<'_>,
    client: &Client,
    lb: &LoadBalancer,
    prior: &Attrs,
) -> Result<ChildState, DriverError> {
    let arn = lb
        .load_balancer_arn()
        .ok_or_else(|| DriverError::new("DescribeLoadBalancers: no LoadBalancerArn in the answer"))?;
    let current = find_attributes(client, arn).await?;
    let get = |key: &str, default: &str| current.get(key).cloned().unwrap_or_else(|| default.to_string());
    let mut out = prior.clone();
    out.insert("id".into(), attrs::text(arn));
    out.insert("arn".into(), attrs::text(arn));
    out.insert("arn_suffix".into(), attrs::text(&arn_suffix(arn, ":loadbalancer/")));
    out.insert("name".into(), attrs::opt_text(lb.load_balancer_name()));
    out.insert("dns_name".into(), attrs::opt_text(lb.dns_name()));
    out.insert("zone_id".into(), attrs::opt_text(lb.canonical_hosted_zone_id()));
    out.insert("vpc_id".into(), attrs::opt_text(lb.vpc_id()));
    out.insert(
        "internal".into(),
        Value::Bool(lb.scheme() == Some(&LoadBalancerSchemeEnum::Internal)),
    );
    let kind = lb.r#type().cloned().unwrap_or(LoadBalancerTypeEnum::Application);
    out.insert("load_balancer_type".into(), attrs::text(kind.as_str()));
    out.insert(
        "security_groups".into(),
        set_value(prior.get("security_groups"), lb.security_groups()),
    );
    let subnets: Vec<String> = lb
        .availability_zones()
        .iter()
        .filter_map(|z| z.subnet_id().map(str::to_string))
        .collect();
    out.insert("subnets".into(), set_value(prior.get("subnets"), &subnets));
    if kind == LoadBalancerTypeEnum::Application {
        let idle = get(IDLE_TIMEOUT, "60");
        out.insert(
            "idle_timeout".into(),
            idle.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
        );
        out.insert(
            "drop_invalid_header_fields".into(),
            Value::Bool(get(DROP_INVALID_HEADERS, "false") == "true"),
        );
    }
    out.insert(
        "enable_deletion_protection".into(),
        Value::Bool(get(DELETION_PROTECTION, "false") == "true"),
    );
    let enabled = get(LOGS_ENABLED, "false") == "true";
    let bucket = get(LOGS_BUCKET, "");
    let had_logs = prior.get("access_logs").is_some_and(|v| !attrs::is_unset(v));
    if enabled || !bucket.is_empty() || had_logs {
        let mut logs = Map::new();
        logs.insert("bucket".into(), Value::String(bucket));
        logs.insert("prefix".into(), Value::String(get(LOGS_PREFIX, "")));
        logs.insert("enabled".into(), Value::Bool(enabled));
        out.insert("access_logs".into(), attrs::block_value(logs));
    } else {
        out.remove("access_logs");
    }
    tags::put_read_state(ctx, &mut out, prior, &elb_tags(client, arn).await?)?;
    Ok(out)
}

/// Waits (at most [`ENI_WAIT`]) for the network interfaces of a deleted load balancer to be
/// released. AWS releases them on its own; a later subnet or security group delete retries
/// DependencyViolation, so a timeout or an EC2 error here ends the wait without failing.
async fn wait_enis_released(ctx: &ChildCtx<'_>, suffix: &str) {
    let ec2 = aws_sdk_ec2::Client::new(&ctx.config("ec2"));
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("description")
        .values(format!("ELB {suffix}"))
        .build();
    let mut waiter = Waiter::new(
        format!("network interfaces of load balancer {suffix} to be released"),
        ENI_WAIT.min(ctx.env.component_timeout),
    );
    loop {
        let out = ec2.describe_network_interfaces().filters(filter.clone()).send().await;
        let remaining = out.map(|o| o.network_interfaces().len()).unwrap_or(0);
        if remaining == 0 || waiter.pause().await.is_err() {
            return;
        }
    }
}

#[async_trait]
impl Driver for Lb {
    fn resource_type(&self) -> &'static str {
        "aws_lb"
    }

    fn service(&self) -> &'static str {
        "elbv2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name", "internal", "load_balancer_type"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = elb_client(ctx);
        let spec = Spec::parse(desired)?;
        let settings = settings(desired, &spec.kind)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let out = client
            .create_load_balancer()
            .name(&spec.name)
            .r#type(spec.kind.clone())
            .scheme(spec.scheme())
            .set_subnets(Some(spec.subnets.clone()).filter(|s| !s.is_empty()))
            .set_security_groups(Some(spec.security_groups.clone()).filter(|s| !s.is_empty()))
            .set_tags(Some(sdk_tags(&all_tags)).filter(|t| !t.is_empty()))
            .send()
            .await
            .map_err(|e| aws_error("CreateLoadBalancer", e))?;
        let arn = out
            .load_balancers()
            .first()
            .and_then(|lb| lb.load_balancer_arn())
            .ok_or_else(|| DriverError::new("CreateLoadBalancer: no LoadBalancerArn in the answer"))?
            .to_string();
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(&arn));
        state.insert("arn".into(), attrs::text(&arn));
        tags::put_applied(&mut state, desired, &all_tags)?;

        let result = async {
            let lb = wait_active(ctx, &client, &arn).await?;
            apply_settings(&client, &arn, &settings, &HashMap::new(), false).await?;
            state_of(ctx, &client, &lb, desired).await
        }
        .await;
        result.after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        match find_lb(&client, arn).await? {
            Some(lb) => Ok(Some(state_of(ctx, &client, &lb, state).await?)),
            None => Ok(None),
        }
    }

    /// DescribeLoadBalancers by name (unique per region and account), if tagged for this
    /// composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let name = attrs::required_string(desired, "name")?;
        let out = elb_client(ctx).describe_load_balancers().names(name).send().await;
        let arn = found("DescribeLoadBalancers", NOT_FOUND, out)?.and_then(|o| {
            o.load_balancers()
                .first()
                .and_then(|lb| lb.load_balancer_arn().map(str::to_string))
        });
        match arn {
            Some(arn) => adopt(self, ctx, desired, &arn, true).await,
            None => Ok(None),
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        let spec = Spec::parse(desired)?;
        let lb = find_lb(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("load balancer {arn} does not exist")))?;
        attrs::unchanged(desired, "name", lb.load_balancer_name().unwrap_or_default())?;
        if lb.scheme() != Some(&spec.scheme()) || lb.r#type() != Some(&spec.kind) {
            return Err(DriverError::new(format!(
                "`internal` and `load_balancer_type` of load balancer {arn} cannot change in place; it must be replaced"
            )));
        }
        if !spec.security_groups.is_empty() && !same_set(&spec.security_groups, lb.security_groups()) {
            client
                .set_security_groups()
                .load_balancer_arn(arn)
                .set_security_groups(Some(spec.security_groups.clone()))
                .send()
                .await
                .map_err(|e| aws_error("SetSecurityGroups", e))?;
        }
        let subnets: Vec<String> = lb
            .availability_zones()
            .iter()
            .filter_map(|z| z.subnet_id().map(str::to_string))
            .collect();
        if !spec.subnets.is_empty() && !same_set(&spec.subnets, &subnets) {
            client
                .set_subnets()
                .load_balancer_arn(arn)
                .set_subnets(Some(spec.subnets.clone()))
                .send()
                .await
                .map_err(|e| aws_error("SetSubnets", e))?;
        }
        let current = find_attributes(&client, arn).await?;
        apply_settings(&client, arn, &settings(desired, &spec.kind)?, &current, true).await?;
        sync_elb_tags(&client, arn, &tags::wanted(ctx, desired)?).await?;
        let lb = wait_active(ctx, &client, arn).await?;
        state_of(ctx, &client, &lb, desired).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        if find_lb(&client, arn).await?.is_none() {
            return Ok(());
        }
        // AWS refuses too, but with a message that does not say what to change.
        if find_attributes(&client, arn)
            .await?
            .get(DELETION_PROTECTION)
            .map(String::as_str)
            == Some("true")
        {
            return Err(DriverError::new(format!(
                "load balancer {arn} has deletion protection enabled (enable_deletion_protection = true): \
                 set it to false and apply before the load balancer can be deleted"
            )));
        }
        let deleted = client.delete_load_balancer().load_balancer_arn(arn).send().await;
        if found("DeleteLoadBalancer", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("load balancer {arn} to be deleted"),
            ctx.env.component_timeout,
            || find_lb(&client, arn),
        )
        .await?;
        wait_enis_released(ctx, &arn_suffix(arn, ":loadbalancer/")).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Attrs {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn arn_suffixes() {
        let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
        assert_eq!(arn_suffix(arn, ":loadbalancer/"), "app/web/50dc6c495c0c9188");
        assert_eq!(arn_suffix("nonsense", ":loadbalancer/"), "");
    }

    #[test]
    fn settings_follow_the_configuration() {
        let desired = obj(json!({
            "idle_timeout": 120,
            "drop_invalid_header_fields": true,
            "access_logs": [{"bucket": "logs", "prefix": "alb", "enabled": true}],
        }));
        let s = settings(&desired, &LoadBalancerTypeEnum::Application).expect("settings");
        let got: Vec<(&str, Option<&str>)> = s.iter().map(|s| (s.key, s.wanted.as_deref())).collect();
        assert_eq!(
            got,
            [
                (IDLE_TIMEOUT, Some("120")),
                (DROP_INVALID_HEADERS, Some("true")),
                (DELETION_PROTECTION, None),
                (LOGS_ENABLED, Some("true")),
                (LOGS_BUCKET, Some("logs")),
                (LOGS_PREFIX, Some("alb")),
            ]
        );
        // A network load balancer has no idle timeout.
        assert!(settings(&desired, &LoadBalancerTypeEnum::Network).is_err());
        // Logs on without a bucket is a configuration error, not an AWS one.
        let no_bucket = obj(json!({"access_logs": [{"enabled": true}]}));
        assert!(settings(&no_bucket, &LoadBalancerTypeEnum::Application).is_err_and(|e| e.message.contains("bucket")));
    }

    #[test]
    fn names_longer_than_aws_allows_are_refused() {
        let long = obj(json!({"name": "a".repeat(33)}));
        assert!(Spec::parse(&long).is_err_and(|e| e.message.contains("32")));
        let spec = Spec::parse(&obj(json!({"name": "web", "internal": true}))).expect("spec");
        assert_eq!(spec.scheme(), LoadBalancerSchemeEnum::Internal);
        assert_eq!(spec.kind, LoadBalancerTypeEnum::Application);
    }

    #[test]
    fn sets_keep_the_prior_order() {
        let prior = json!(["sg-b", "sg-a"]);
        assert_eq!(set_value(Some(&prior), &["sg-a".into(), "sg-b".into()]), prior);
        assert_eq!(
            set_value(None, &["sg-b".into(), "sg-a".into()]),
            json!(["sg-a", "sg-b"])
        );
        assert!(same_set(&["a".into(), "b".into()], &["b".into(), "a".into()]));
        assert!(!same_set(&["a".into()], &["b".into()]));
    }
}
