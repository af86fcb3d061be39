//! `aws_autoscaling_group`: CreateAutoScalingGroup / DescribeAutoScalingGroups /
//! UpdateAutoScalingGroup + Attach/DetachLoadBalancerTargetGroups / DeleteAutoScalingGroup.
//!
//! Like `hashicorp/aws`, create (and an update that changes capacity) waits until the group
//! has its desired number of InService, Healthy instances, so what depends on the group finds
//! it serving. The group's tags are `ctx.tags` (plus its own `tags`), all propagated at launch
//! so instances are findable too. Delete forces deletion (instances are terminated with the
//! group) and waits until AWS no longer describes it.

use async_trait::async_trait;
use aws_sdk_autoscaling::Client;
use aws_sdk_autoscaling::types::{AutoScalingGroup, LaunchTemplateSpecification, LifecycleState, Tag};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, has_code, state_id};

pub struct AutoscalingGroup;

/// The tag resource type of a group.
const RESOURCE_TYPE: &str = "auto-scaling-group";
/// Another scaling activity is running: AWS asks to retry (delete, update).
const BUSY: &[&str] = &["ScalingActivityInProgress", "ResourceInUse"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("autoscaling"))
}

/// Auto Scaling reports a missing group as a ValidationError "... name not found".
fn is_not_found<E: ProvideErrorMetadata>(err: &E) -> bool {
    has_code(err, &["ValidationError"]) && err.message().is_some_and(|m| m.contains("not found"))
}

/// What the configuration asks of a group, parsed once.
struct Spec {
    name: String,
    min_size: i32,
    max_size: i32,
    desired_capacity: Option<i32>,
    subnets: Vec<String>,
    target_group_arns: Vec<String>,
    health_check_type: Option<String>,
    health_check_grace_period: Option<i32>,
    launch_template: Option<LaunchTemplateSpecification>,
    default_cooldown: Option<i32>,
}

/// A launch template `version` (`$Latest`, `$Default`, or a number written either way).
fn version_text(block: &Attrs) -> Result<Option<String>, DriverError> {
    match block.get("version") {
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        _ => attrs::owned_string(block, "version"),
    }
}

impl Spec {
    fn parse(desired: &Attrs) -> Result<Spec, DriverError> {
        let required_int = |key: &str| -> Result<i32, DriverError> {
            attrs::int32(desired, key)?.ok_or_else(|| DriverError::new(format!("attribute `{key}` is required")))
        };
        let launch_template = match attrs::block(desired, "launch_template")? {
            Some(lt) => {
                attrs::only_supported(lt, "launch_template", &["id", "name", "version"])?;
                let id = attrs::owned_string(lt, "id")?;
                let name = attrs::owned_string(lt, "name")?;
                if id.is_none() == name.is_none() {
                    return Err(DriverError::new(
                        "block `launch_template`: set exactly one of `id` and `name`",
                    ));
                }
                Some(
                    LaunchTemplateSpecification::builder()
                        .set_launch_template_id(id)
                        .set_launch_template_name(name)
                        .set_version(version_text(lt)?)
                        .build(),
                )
            }
            None => None,
        };
        Ok(Spec {
            name: attrs::required_string(desired, "name")?.to_string(),
            min_size: required_int("min_size")?,
            max_size: required_int("max_size")?,
            desired_capacity: attrs::int32(desired, "desired_capacity")?,
            subnets: attrs::string_list(desired, "vpc_zone_identifier")?,
            target_group_arns: attrs::string_list(desired, "target_group_arns")?,
            health_check_type: attrs::owned_string(desired, "health_check_type")?,
            health_check_grace_period: attrs::int32(desired, "health_check_grace_period")?,
            launch_template,
            default_cooldown: attrs::int32(desired, "default_cooldown")?,
        })
    }

    /// How many healthy instances the group must have before it counts as created.
    fn wanted_capacity(&self) -> i32 {
        self.desired_capacity.unwrap_or(self.min_size)
    }

    fn vpc_zone_identifier(&self) -> Option<String> {
        (!self.subnets.is_empty()).then(|| self.subnets.join(","))
    }
}

/// DescribeAutoScalingGroups by name; `None` when AWS does not know it.
async fn find_group(client: &Client, name: &str) -> Result<Option<AutoScalingGroup>, DriverError> {
    let out = client
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .map_err(|e| aws_error("DescribeAutoScalingGroups", e))?;
    Ok(out
        .auto_scaling_groups()
        .iter()
        .find(|g| g.auto_scaling_group_name() == Some(name))
        .cloned())
}

/// Whether the group is being deleted (it will not come back).
fn deleting(group: &AutoScalingGroup) -> bool {
    group.status().is_some_and(|s| s.starts_with("Delete"))
}

fn group_tags(group: &AutoScalingGroup) -> Tags {
    group
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .collect()
}

fn asg_tags(name: &str, tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .resource_id(name)
                .resource_type(RESOURCE_TYPE)
                .key(k)
                .value(v)
                .propagate_at_launch(true)
                .build()
        })
        .collect()
}

/// Brings the group's tags to `wanted` (CreateOrUpdateTags / DeleteTags).
async fn sync_tags(client: &Client, name: &str, actual: &Tags, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        actual,
        wanted,
        |keys| async move {
            let remove = keys
                .iter()
                .map(|k| {
                    Tag::builder()
                        .resource_id(name)
                        .resource_type(RESOURCE_TYPE)
                        .key(k)
                        .build()
                })
                .collect();
            client
                .delete_tags()
                .set_tags(Some(remove))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("DeleteTags", e))
        },
        |set| async move {
            client
                .create_or_update_tags()
                .set_tags(Some(asg_tags(name, &set)))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("CreateOrUpdateTags", e))
        },
    )
    .await
}

/// Waits until the group has `wanted` InService, Healthy instances.
async fn wait_capacity(ctx: &ChildCtx<'_>, client: &Client, name: &str, wanted: i32) -> Result<(), DriverError> {
    wait::until(
        &format!("Auto Scaling group {name} to have {wanted} healthy instances in service"),
        ctx.env.component_timeout,
        || async {
            let group = find_group(client, name)
                .await?
                .ok_or_else(|| DriverError::new(format!("Auto Scaling group {name} disappeared")))?;
            let healthy = group
                .instances()
                .iter()
                .filter(|i| {
                    i.lifecycle_state() == Some(&LifecycleState::InService)
                        && i.health_status().is_some_and(|h| h.eq_ignore_ascii_case("healthy"))
                })
                .count();
            Ok((i32::try_from(healthy).unwrap_or(i32::MAX) >= wanted).then_some(()))
        },
    )
    .await
}

/// The group as state attributes (`prior` gives set order and the spelling of a template
/// version written as a number).
fn attributes(group: &AutoScalingGroup, prior: &Attrs) -> Attrs {
    let mut out = Map::new();
    let name = group.auto_scaling_group_name().unwrap_or_default();
    out.insert("id".into(), attrs::text(name));
    out.insert("name".into(), attrs::text(name));
    out.insert("arn".into(), attrs::opt_text(group.auto_scaling_group_arn()));
    out.insert("min_size".into(), json!(group.min_size()));
    out.insert("max_size".into(), json!(group.max_size()));
    out.insert("desired_capacity".into(), json!(group.desired_capacity()));
    out.insert("default_cooldown".into(), json!(group.default_cooldown()));
    out.insert("health_check_type".into(), attrs::opt_text(group.health_check_type()));
    out.insert(
        "health_check_grace_period".into(),
        json!(group.health_check_grace_period()),
    );
    let subnets: Vec<Value> = group
        .vpc_zone_identifier()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(attrs::text)
        .collect();
    out.insert(
        "vpc_zone_identifier".into(),
        normalise::set_like_prior(prior.get("vpc_zone_identifier"), subnets),
    );
    out.insert(
        "target_group_arns".into(),
        normalise::set_like_prior(
            prior.get("target_group_arns"),
            group.target_group_arns().iter().map(|a| attrs::text(a)).collect(),
        ),
    );
    let prior_version = prior
        .get("launch_template")
        .and_then(Value::as_array)
        .and_then(|b| b.first())
        .and_then(|b| b.get("version"));
    let launch_template: Vec<Value> = group
        .launch_template()
        .map(|lt| {
            let version = match (lt.version(), prior_version) {
                // A number in the configuration (`aws_launch_template.x.latest_version`).
                (Some(v), Some(Value::Number(n))) if v == n.to_string() => Value::Number(n.clone()),
                (v, _) => attrs::opt_text(v),
            };
            json!({
                "id": lt.launch_template_id(),
                "name": lt.launch_template_name(),
                "version": version,
            })
        })
        .into_iter()
        .collect();
    out.insert("launch_template".into(), Value::Array(launch_template));
    out
}

#[async_trait]
impl Driver for AutoscalingGroup {
    fn resource_type(&self) -> &'static str {
        "aws_autoscaling_group"
    }

    fn service(&self) -> &'static str {
        "autoscaling"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let spec = Spec::parse(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        client
            .create_auto_scaling_group()
            .auto_scaling_group_name(&spec.name)
            .min_size(spec.min_size)
            .max_size(spec.max_size)
            .set_desired_capacity(spec.desired_capacity)
            .set_vpc_zone_identifier(spec.vpc_zone_identifier())
            .set_target_group_arns((!spec.target_group_arns.is_empty()).then(|| spec.target_group_arns.clone()))
            .set_health_check_type(spec.health_check_type.clone())
            .set_health_check_grace_period(spec.health_check_grace_period)
            .set_launch_template(spec.launch_template.clone())
            .set_default_cooldown(spec.default_cooldown)
            .set_tags((!all_tags.is_empty()).then(|| asg_tags(&spec.name, &all_tags)))
            .send()
            .await
            .map_err(|e| aws_error("CreateAutoScalingGroup", e))?;
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(&spec.name));
        state.insert("name".into(), attrs::text(&spec.name));
        tags::put_applied(&mut state, desired, &all_tags)?;

        wait_capacity(ctx, &client, &spec.name, spec.wanted_capacity())
            .await
            .after_create(&state)?;
        self.read(ctx, &state)
            .await
            .and_then(|r| r.ok_or_else(|| DriverError::new(format!("Auto Scaling group {} disappeared", spec.name))))
            .after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let Some(group) = find_group(&client, name).await?.filter(|g| !deleting(g)) else {
            return Ok(None);
        };
        let mut actual = attributes(&group, state);
        tags::put_read_state(ctx, &mut actual, state, &group_tags(&group))?;
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// The group of this name (as `read`), if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "name")?, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        attrs::unchanged(desired, "name", name)?;
        let spec = Spec::parse(desired)?;
        let group = find_group(&client, name)
            .await?
            .filter(|g| !deleting(g))
            .ok_or_else(|| DriverError::new(format!("Auto Scaling group {name} does not exist")))?;
        let timeout = ctx.env.component_timeout;
        wait::retry_while(
            timeout,
            |e| has_code(e, BUSY),
            || {
                client
                    .update_auto_scaling_group()
                    .auto_scaling_group_name(name)
                    .min_size(spec.min_size)
                    .max_size(spec.max_size)
                    .set_desired_capacity(spec.desired_capacity)
                    .set_vpc_zone_identifier(spec.vpc_zone_identifier())
                    .set_health_check_type(spec.health_check_type.clone())
                    .set_health_check_grace_period(spec.health_check_grace_period)
                    .set_launch_template(spec.launch_template.clone())
                    .set_default_cooldown(spec.default_cooldown)
                    .send()
            },
        )
        .await
        .map_err(|e| aws_error("UpdateAutoScalingGroup", e))?;

        let current = group.target_group_arns();
        let attach: Vec<String> = spec
            .target_group_arns
            .iter()
            .filter(|a| !current.contains(a))
            .cloned()
            .collect();
        let detach: Vec<String> = current
            .iter()
            .filter(|a| !spec.target_group_arns.contains(a))
            .cloned()
            .collect();
        if !attach.is_empty() {
            client
                .attach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(attach))
                .send()
                .await
                .map_err(|e| aws_error("AttachLoadBalancerTargetGroups", e))?;
        }
        if !detach.is_empty() {
            client
                .detach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(detach))
                .send()
                .await
                .map_err(|e| aws_error("DetachLoadBalancerTargetGroups", e))?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, name, &group_tags(&group), &all_tags).await?;

        let capacity_changed =
            group.min_size() != Some(spec.min_size) || group.desired_capacity() != spec.desired_capacity;
        if capacity_changed {
            wait_capacity(ctx, &client, name, spec.wanted_capacity()).await?;
        }
        let mut next = state.clone();
        next.extend(desired.clone());
        tags::put_applied(&mut next, desired, &all_tags)?;
        let mut out = self
            .read(ctx, &next)
            .await?
            .ok_or_else(|| DriverError::new(format!("Auto Scaling group {name} disappeared during update")))?;
        tags::put_applied(&mut out, desired, &all_tags)?;
        Ok(out)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let timeout = ctx.env.component_timeout;
        let deleted = wait::retry_while(
            timeout,
            |e| has_code(e, BUSY),
            || {
                client
                    .delete_auto_scaling_group()
                    .auto_scaling_group_name(name)
                    .force_delete(true)
                    .send()
            },
        )
        .await;
        match deleted {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(aws_error("DeleteAutoScalingGroup", e)),
        }
        wait::until_gone(&format!("Auto Scaling group {name} to be deleted"), timeout, || {
            find_group(&client, name)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Attrs {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn spec_needs_sizes_and_one_template_reference() {
        let ok = obj(json!({
            "name": "web", "min_size": 1, "max_size": "3",
            "vpc_zone_identifier": ["subnet-b", "subnet-a"],
            "launch_template": [{"id": "lt-1", "version": 4}],
        }));
        let spec = Spec::parse(&ok).expect("parse");
        assert_eq!(spec.max_size, 3);
        assert_eq!(spec.wanted_capacity(), 1);
        assert_eq!(spec.vpc_zone_identifier().as_deref(), Some("subnet-b,subnet-a"));
        assert_eq!(spec.launch_template.as_ref().and_then(|l| l.version()), Some("4"));
        let mut no_min = ok.clone();
        no_min.remove("min_size");
        assert!(Spec::parse(&no_min).is_err_and(|e| e.message.contains("`min_size`")));
        let mut both = ok;
        both.insert("launch_template".into(), json!([{"id": "lt-1", "name": "x"}]));
        assert!(Spec::parse(&both).is_err());
    }

    #[test]
    fn read_keeps_a_numeric_version_and_set_order() {
        let group = AutoScalingGroup::builder()
            .auto_scaling_group_name("web")
            .vpc_zone_identifier("subnet-a,subnet-b")
            .launch_template(
                LaunchTemplateSpecification::builder()
                    .launch_template_id("lt-1")
                    .version("4")
                    .build(),
            )
            .build();
        let prior = obj(json!({
            "vpc_zone_identifier": ["subnet-b", "subnet-a"],
            "launch_template": [{"id": "lt-1", "version": 4}],
        }));
        let out = attributes(&group, &prior);
        assert_eq!(out["vpc_zone_identifier"], json!(["subnet-b", "subnet-a"]));
        assert_eq!(out["launch_template"][0]["version"], json!(4));
        let prior = obj(json!({"launch_template": [{"id": "lt-1", "version": 5}]}));
        assert_eq!(attributes(&group, &prior)["launch_template"][0]["version"], json!("4"));
    }
}
