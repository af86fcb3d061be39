//! `aws_launch_template`: CreateLaunchTemplate / DescribeLaunchTemplates +
//! DescribeLaunchTemplateVersions / CreateLaunchTemplateVersion + ModifyLaunchTemplate /
//! DeleteLaunchTemplate.
//!
//! A version's data never changes, so an update that touches the instance settings adds a
//! version (and makes it the default with `update_default_version`, so an Auto Scaling group
//! on `$Default` picks it up). Read reports the latest version's data, as `hashicorp/aws`
//! does, so a version added out of band shows up as drift. AWS returns no ARN: it is built
//! from the account (STS) as `hashicorp/aws` builds it.

use std::collections::BTreeSet;

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    Filter, InstanceType, LaunchTemplate, LaunchTemplateBlockDeviceMappingRequest, LaunchTemplateEbsBlockDeviceRequest,
    LaunchTemplateHttpTokensState, LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateInstanceMetadataEndpointState, LaunchTemplateInstanceMetadataOptionsRequest,
    LaunchTemplatesMonitoringRequest, RequestLaunchTemplateData, ResourceType, ResponseLaunchTemplateData, Tag,
    TagSpecification, VolumeType,
};
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, state_id};

pub struct Ec2LaunchTemplate;

/// What EC2 answers for a launch template (or version) that does not exist; moto answers
/// the name code for ids too, and an empty list for DescribeLaunchTemplates by id.
const NOT_FOUND: &[&str] = &[
    "InvalidLaunchTemplateId.NotFound",
    "InvalidLaunchTemplateName.NotFoundException",
    "InvalidLaunchTemplateId.VersionNotFound",
    "InvalidLaunchTemplateId.Malformed",
];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("ec2"))
}

/// `ebs` of a block device mapping.
#[derive(Clone, Debug, Default, PartialEq)]
struct Ebs {
    volume_size: Option<i32>,
    volume_type: Option<String>,
    encrypted: Option<bool>,
    kms_key_id: Option<String>,
    delete_on_termination: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct BlockDevice {
    device_name: String,
    ebs: Option<Ebs>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Metadata {
    http_endpoint: Option<String>,
    http_tokens: Option<String>,
    hop_limit: Option<i32>,
}

/// The instance settings of one version, in one form for the configuration and for AWS's
/// answer, so "does the latest version already say this?" is a plain comparison.
#[derive(Clone, Debug, Default, PartialEq)]
struct Data {
    image_id: Option<String>,
    instance_type: Option<String>,
    user_data: Option<String>,
    security_group_ids: BTreeSet<String>,
    metadata: Option<Metadata>,
    /// Sorted by device name: a mapping is a set keyed by device.
    block_devices: Vec<BlockDevice>,
    monitoring: Option<bool>,
    instance_profile_arn: Option<String>,
    instance_profile_name: Option<String>,
}

/// `hashicorp/aws` types `encrypted` and `delete_on_termination` as strings ("true", "false",
/// "" for unset); accept those as well as bools.
fn nullable_bool(block: &Attrs, key: &str) -> Result<Option<bool>, DriverError> {
    match block.get(key) {
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        _ => attrs::boolean(block, key),
    }
}

impl Data {
    fn parse(desired: &Attrs) -> Result<Data, DriverError> {
        let metadata = match attrs::block(desired, "metadata_options")? {
            Some(m) => {
                attrs::only_supported(
                    m,
                    "metadata_options",
                    &["http_endpoint", "http_tokens", "http_put_response_hop_limit"],
                )?;
                Some(Metadata {
                    http_endpoint: attrs::owned_string(m, "http_endpoint")?,
                    http_tokens: attrs::owned_string(m, "http_tokens")?,
                    hop_limit: attrs::int32(m, "http_put_response_hop_limit")?,
                })
            }
            None => None,
        };
        let mut block_devices = Vec::new();
        for b in attrs::blocks(desired, "block_device_mappings")? {
            attrs::only_supported(b, "block_device_mappings", &["device_name", "ebs"])?;
            let ebs = match attrs::block(b, "ebs")? {
                Some(e) => {
                    attrs::only_supported(
                        e,
                        "block_device_mappings.ebs",
                        &[
                            "volume_size",
                            "volume_type",
                            "encrypted",
                            "kms_key_id",
                            "delete_on_termination",
                        ],
                    )?;
                    Some(Ebs {
                        volume_size: attrs::int32(e, "volume_size")?,
                        volume_type: attrs::owned_string(e, "volume_type")?,
                        encrypted: nullable_bool(e, "encrypted")?,
                        kms_key_id: attrs::owned_string(e, "kms_key_id")?,
                        delete_on_termination: nullable_bool(e, "delete_on_termination")?,
                    })
                }
                None => None,
            };
            block_devices.push(BlockDevice {
                device_name: attrs::required_string(b, "device_name")?.to_string(),
                ebs,
            });
        }
        block_devices.sort_by(|a, b| a.device_name.cmp(&b.device_name));
        let monitoring = match attrs::block(desired, "monitoring")? {
            Some(m) => attrs::boolean(m, "enabled")?,
            None => None,
        };
        let (instance_profile_arn, instance_profile_name) = match attrs::block(desired, "iam_instance_profile")? {
            Some(p) => (attrs::owned_string(p, "arn")?, attrs::owned_string(p, "name")?),
            None => (None, None),
        };
        Ok(Data {
            image_id: attrs::owned_string(desired, "image_id")?,
            instance_type: attrs::owned_string(desired, "instance_type")?,
            user_data: attrs::owned_string(desired, "user_data")?,
            security_group_ids: attrs::string_list(desired, "vpc_security_group_ids")?
                .into_iter()
                .collect(),
            metadata,
            block_devices,
            monitoring,
            instance_profile_arn,
            instance_profile_name,
        })
    }

    fn from_response(data: &ResponseLaunchTemplateData) -> Data {
        let metadata = data.metadata_options().map(|m| Metadata {
            http_endpoint: m.http_endpoint().map(|s| s.as_str().to_string()),
            http_tokens: m.http_tokens().map(|s| s.as_str().to_string()),
            hop_limit: m.http_put_response_hop_limit(),
        });
        let mut block_devices: Vec<BlockDevice> = data
            .block_device_mappings()
            .iter()
            .map(|b| BlockDevice {
                device_name: b.device_name().unwrap_or_default().to_string(),
                ebs: b.ebs().map(|e| Ebs {
                    volume_size: e.volume_size(),
                    volume_type: e.volume_type().map(|v| v.as_str().to_string()),
                    encrypted: e.encrypted(),
                    kms_key_id: e.kms_key_id().map(str::to_string),
                    delete_on_termination: e.delete_on_termination(),
                }),
            })
            .collect();
        block_devices.sort_by(|a, b| a.device_name.cmp(&b.device_name));
        Data {
            image_id: data.image_id().map(str::to_string),
            instance_type: data.instance_type().map(|t| t.as_str().to_string()),
            user_data: data.user_data().map(str::to_string),
            security_group_ids: data.security_group_ids().iter().cloned().collect(),
            metadata,
            block_devices,
            monitoring: data.monitoring().and_then(|m| m.enabled()),
            instance_profile_arn: data.iam_instance_profile().and_then(|p| p.arn()).map(str::to_string),
            instance_profile_name: data.iam_instance_profile().and_then(|p| p.name()).map(str::to_string),
        }
    }

    fn request(&self) -> RequestLaunchTemplateData {
        let metadata = self.metadata.as_ref().map(|m| {
            LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .set_http_endpoint(
                    m.http_endpoint
                        .as_deref()
                        .map(LaunchTemplateInstanceMetadataEndpointState::from),
                )
                .set_http_tokens(m.http_tokens.as_deref().map(LaunchTemplateHttpTokensState::from))
                .set_http_put_response_hop_limit(m.hop_limit)
                .build()
        });
        let block_devices: Vec<LaunchTemplateBlockDeviceMappingRequest> = self
            .block_devices
            .iter()
            .map(|b| {
                LaunchTemplateBlockDeviceMappingRequest::builder()
                    .device_name(&b.device_name)
                    .set_ebs(b.ebs.as_ref().map(|e| {
                        LaunchTemplateEbsBlockDeviceRequest::builder()
                            .set_volume_size(e.volume_size)
                            .set_volume_type(e.volume_type.as_deref().map(VolumeType::from))
                            .set_encrypted(e.encrypted)
                            .set_kms_key_id(e.kms_key_id.clone())
                            .set_delete_on_termination(e.delete_on_termination)
                            .build()
                    }))
                    .build()
            })
            .collect();
        let profile = (self.instance_profile_arn.is_some() || self.instance_profile_name.is_some()).then(|| {
            LaunchTemplateIamInstanceProfileSpecificationRequest::builder()
                .set_arn(self.instance_profile_arn.clone())
                .set_name(self.instance_profile_name.clone())
                .build()
        });
        RequestLaunchTemplateData::builder()
            .set_image_id(self.image_id.clone())
            .set_instance_type(self.instance_type.as_deref().map(InstanceType::from))
            .set_user_data(self.user_data.clone())
            .set_security_group_ids(
                (!self.security_group_ids.is_empty()).then(|| self.security_group_ids.iter().cloned().collect()),
            )
            .set_metadata_options(metadata)
            .set_block_device_mappings((!block_devices.is_empty()).then_some(block_devices))
            .set_monitoring(
                self.monitoring
                    .map(|on| LaunchTemplatesMonitoringRequest::builder().enabled(on).build()),
            )
            .set_iam_instance_profile(profile)
            .build()
    }

    /// The data as state attributes (nested blocks in `hashicorp/aws`'s shape; explicit
    /// nulls so a setting removed out of band reads as drift).
    fn attributes(&self, prior: &Attrs) -> Attrs {
        let mut out = Map::new();
        out.insert("image_id".into(), attrs::opt_text(self.image_id.as_deref()));
        out.insert("instance_type".into(), attrs::opt_text(self.instance_type.as_deref()));
        out.insert("user_data".into(), attrs::opt_text(self.user_data.as_deref()));
        out.insert(
            "vpc_security_group_ids".into(),
            normalise::set_like_prior(
                prior.get("vpc_security_group_ids"),
                self.security_group_ids.iter().map(|s| attrs::text(s)).collect(),
            ),
        );
        let metadata: Vec<Value> = self
            .metadata
            .iter()
            .map(|m| {
                json!({
                    "http_endpoint": m.http_endpoint,
                    "http_tokens": m.http_tokens,
                    "http_put_response_hop_limit": m.hop_limit,
                })
            })
            .collect();
        out.insert("metadata_options".into(), Value::Array(metadata));
        let devices: Vec<Value> = self
            .block_devices
            .iter()
            .map(|b| {
                let ebs: Vec<Value> = b
                    .ebs
                    .iter()
                    .map(|e| {
                        json!({
                            "volume_size": e.volume_size,
                            "volume_type": e.volume_type,
                            "encrypted": e.encrypted,
                            "kms_key_id": e.kms_key_id,
                            "delete_on_termination": e.delete_on_termination,
                        })
                    })
                    .collect();
                json!({"device_name": b.device_name, "ebs": ebs})
            })
            .collect();
        out.insert(
            "block_device_mappings".into(),
            Value::Array(normalise::order_like(
                devices,
                prior.get("block_device_mappings"),
                "device_name",
            )),
        );
        let monitoring: Vec<Value> = self.monitoring.iter().map(|on| json!({"enabled": on})).collect();
        out.insert("monitoring".into(), Value::Array(monitoring));
        let profile = if self.instance_profile_arn.is_some() || self.instance_profile_name.is_some() {
            vec![json!({"arn": self.instance_profile_arn, "name": self.instance_profile_name})]
        } else {
            Vec::new()
        };
        out.insert("iam_instance_profile".into(), Value::Array(profile));
        out
    }
}

/// Bools AWS returns in the spelling the prior state used (`"true"` where `hashicorp/aws`
/// types them as strings and the configuration wrote them so), recursively.
fn bools_like(actual: &mut Value, prior: &Value) {
    match actual {
        Value::Bool(b) => {
            let b = *b;
            if matches!(prior, Value::String(p) if p == "true" || p == "false") {
                *actual = Value::String(b.to_string());
            }
        }
        Value::Array(a) => {
            if let Value::Array(p) = prior {
                a.iter_mut().zip(p).for_each(|(x, y)| bools_like(x, y));
            }
        }
        Value::Object(a) => {
            if let Value::Object(p) = prior {
                for (k, v) in a.iter_mut() {
                    if let Some(pv) = p.get(k) {
                        bools_like(v, pv);
                    }
                }
            }
        }
        _ => {}
    }
}

/// DescribeLaunchTemplates by id; `None` when it does not exist.
async fn find_template(client: &Client, id: &str) -> Result<Option<LaunchTemplate>, DriverError> {
    let out = client.describe_launch_templates().launch_template_ids(id).send().await;
    Ok(found("DescribeLaunchTemplates", NOT_FOUND, out)?.and_then(|o| o.launch_templates().first().cloned()))
}

/// The data of version `version` (`$Latest`, `3`); `None` when the template is gone.
async fn find_version_data(client: &Client, id: &str, version: &str) -> Result<Option<Data>, DriverError> {
    let out = client
        .describe_launch_template_versions()
        .launch_template_id(id)
        .versions(version)
        .send()
        .await;
    Ok(found("DescribeLaunchTemplateVersions", NOT_FOUND, out)?.and_then(|o| {
        o.launch_template_versions()
            .first()
            .map(|v| v.launch_template_data().map(Data::from_response).unwrap_or_default())
    }))
}

/// The template's tags (DescribeTags: it follows CreateTags/DeleteTags everywhere).
async fn find_tags(client: &Client, id: &str) -> Result<Tags, DriverError> {
    let mut out = Tags::new();
    let mut token: Option<String> = None;
    // Bounded: 50 tags per resource at most.
    for _ in 0..50 {
        let page = client
            .describe_tags()
            .filters(Filter::builder().name("resource-id").values(id).build())
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws_error("DescribeTags", e))?;
        out.extend(
            page.tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))),
        );
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return Ok(out),
        }
    }
    Err(DriverError::new(format!("DescribeTags: too many pages for {id}")))
}

fn ec2_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Brings the tags of an EC2 resource `id` from what it has to `wanted`.
async fn sync_tags(client: &Client, id: &str, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        &find_tags(client, id).await?,
        wanted,
        |keys| async move {
            client
                .delete_tags()
                .resources(id)
                .set_tags(Some(keys.iter().map(|k| Tag::builder().key(k).build()).collect()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("DeleteTags", e))
        },
        |set| async move {
            client
                .create_tags()
                .resources(id)
                .set_tags(Some(ec2_tags(&set)))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("CreateTags", e))
        },
    )
    .await
}

/// `arn:<partition>:ec2:<region>:<account>:launch-template/<id>`.
async fn template_arn(ctx: &ChildCtx<'_>, id: &str) -> Result<String, DriverError> {
    let region = arn::region(ctx)?;
    let account = arn::account_id(ctx).await?;
    Ok(arn::build(
        arn::partition(&region),
        "ec2",
        &region,
        &account,
        &format!("launch-template/{id}"),
    ))
}

/// Whether `update_default_version` asks for every new version to become the default.
fn updates_default(desired: &Attrs) -> Result<bool, DriverError> {
    Ok(attrs::boolean(desired, "update_default_version")?.unwrap_or(false))
}

#[async_trait]
impl Driver for Ec2LaunchTemplate {
    fn resource_type(&self) -> &'static str {
        "aws_launch_template"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let data = Data::parse(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        // Asked before CreateLaunchTemplate, so a failure leaves no orphan.
        let region = arn::region(ctx)?;
        let account = arn::account_id(ctx).await?;
        let mut request = client
            .create_launch_template()
            .launch_template_name(name)
            .launch_template_data(data.request());
        if !all_tags.is_empty() {
            request = request.tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::LaunchTemplate)
                    .set_tags(Some(ec2_tags(&all_tags)))
                    .build(),
            );
        }
        let out = request.send().await.map_err(|e| aws_error("CreateLaunchTemplate", e))?;
        let template = out
            .launch_template()
            .ok_or_else(|| DriverError::new("CreateLaunchTemplate: no launch template in the answer"))?;
        let id = template
            .launch_template_id()
            .ok_or_else(|| DriverError::new("CreateLaunchTemplate: no LaunchTemplateId in the answer"))?;
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(id));
        state.insert("name".into(), attrs::text(name));
        state.insert(
            "arn".into(),
            attrs::text(&arn::build(
                arn::partition(&region),
                "ec2",
                &region,
                &account,
                &format!("launch-template/{id}"),
            )),
        );
        state.insert(
            "latest_version".into(),
            json!(template.latest_version_number().unwrap_or(1)),
        );
        state.insert(
            "default_version".into(),
            json!(template.default_version_number().unwrap_or(1)),
        );
        tags::put_applied(&mut state, desired, &all_tags)?;
        // EC2 is eventually consistent: the new template may not be described at once.
        wait::until(
            &format!("launch template {id} to be readable"),
            ctx.env.component_timeout,
            || self.read(ctx, &state),
        )
        .await
        .after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let Some(template) = find_template(&client, id).await? else {
            return Ok(None);
        };
        let latest = template.latest_version_number().unwrap_or(1);
        let Some(data) = find_version_data(&client, id, &latest.to_string()).await? else {
            return Ok(None);
        };
        let mut actual = data.attributes(state);
        actual.insert("id".into(), attrs::text(id));
        actual.insert("name".into(), attrs::opt_text(template.launch_template_name()));
        let arn = match state.get("arn").and_then(Value::as_str) {
            Some(a) if a.ends_with(&format!("launch-template/{id}")) => a.to_string(),
            _ => template_arn(ctx, id).await?,
        };
        actual.insert("arn".into(), attrs::text(&arn));
        actual.insert("latest_version".into(), json!(latest));
        actual.insert(
            "default_version".into(),
            json!(template.default_version_number().unwrap_or(1)),
        );
        tags::put_read_state(ctx, &mut actual, state, &find_tags(&client, id).await?)?;
        let mut actual = Value::Object(actual);
        bools_like(&mut actual, &Value::Object(state.clone()));
        let Value::Object(actual) = actual else {
            return Err(DriverError::new("launch template state is not an object"));
        };
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// DescribeLaunchTemplates by name, then `read`, if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let name = attrs::required_string(desired, "name")?;
        let out = client(ctx)
            .describe_launch_templates()
            .launch_template_names(name)
            .send()
            .await;
        let id = found("DescribeLaunchTemplates", NOT_FOUND, out)?.and_then(|o| {
            o.launch_templates()
                .first()
                .and_then(|t| t.launch_template_id())
                .map(str::to_string)
        });
        match id {
            Some(id) => adopt(self, ctx, desired, &id, true).await,
            None => Ok(None),
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let template = find_template(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("launch template {id} does not exist")))?;
        attrs::unchanged(desired, "name", template.launch_template_name().unwrap_or_default())?;
        let wanted = Data::parse(desired)?;
        let mut latest = template.latest_version_number().unwrap_or(1);
        let current = find_version_data(&client, id, &latest.to_string()).await?;
        if current.as_ref() != Some(&wanted) {
            let out = client
                .create_launch_template_version()
                .launch_template_id(id)
                .launch_template_data(wanted.request())
                .send()
                .await
                .map_err(|e| aws_error("CreateLaunchTemplateVersion", e))?;
            latest = out
                .launch_template_version()
                .and_then(|v| v.version_number())
                .ok_or_else(|| DriverError::new("CreateLaunchTemplateVersion: no version number in the answer"))?;
        }
        if updates_default(desired)? && template.default_version_number() != Some(latest) {
            client
                .modify_launch_template()
                .launch_template_id(id)
                .default_version(latest.to_string())
                .send()
                .await
                .map_err(|e| aws_error("ModifyLaunchTemplate", e))?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, id, &all_tags).await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        tags::put_applied(&mut next, desired, &all_tags)?;
        // What AWS has now (new version numbers), with the configured spellings kept.
        let read = self
            .read(ctx, &next)
            .await?
            .ok_or_else(|| DriverError::new(format!("launch template {id} disappeared during update")))?;
        let mut out = read;
        tags::put_applied(&mut out, desired, &all_tags)?;
        Ok(out)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let deleted = client.delete_launch_template().launch_template_id(id).send().await;
        if found("DeleteLaunchTemplate", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("launch template {id} to be deleted"),
            ctx.env.component_timeout,
            || find_template(&client, id),
        )
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
    fn configuration_parses_in_either_bool_spelling() {
        let desired = obj(json!({
            "image_id": "ami-1",
            "vpc_security_group_ids": ["sg-b", "sg-a"],
            "block_device_mappings": [
                {"device_name": "/dev/xvdb", "ebs": [{"volume_size": 8, "encrypted": "true", "delete_on_termination": ""}]},
                {"device_name": "/dev/xvda", "ebs": [{"volume_size": "20", "encrypted": true}]},
            ],
            "monitoring": [{"enabled": true}],
        }));
        let data = Data::parse(&desired).expect("parse");
        assert_eq!(data.block_devices[0].device_name, "/dev/xvda");
        assert_eq!(data.block_devices[1].ebs.as_ref().and_then(|e| e.encrypted), Some(true));
        assert_eq!(
            data.block_devices[1].ebs.as_ref().and_then(|e| e.delete_on_termination),
            None
        );
        assert_eq!(data.block_devices[0].ebs.as_ref().and_then(|e| e.volume_size), Some(20));
        assert_eq!(data.monitoring, Some(true));
        assert_eq!(data.security_group_ids.iter().collect::<Vec<_>>(), vec!["sg-a", "sg-b"]);
    }

    #[test]
    fn unsupported_nested_settings_are_refused() {
        let desired =
            obj(json!({"metadata_options": [{"http_tokens": "required", "instance_metadata_tags": "enabled"}]}));
        assert!(Data::parse(&desired).is_err_and(|e| e.message.contains("instance_metadata_tags")));
    }

    #[test]
    fn bools_keep_the_prior_spelling() {
        let prior = json!({"b": [{"ebs": [{"encrypted": "true", "x": true}]}]});
        let mut actual = json!({"b": [{"ebs": [{"encrypted": false, "x": true}]}]});
        bools_like(&mut actual, &prior);
        assert_eq!(actual, json!({"b": [{"ebs": [{"encrypted": "false", "x": true}]}]}));
    }

    #[test]
    fn data_attributes_follow_the_prior_order() {
        let desired = obj(json!({
            "vpc_security_group_ids": ["sg-b", "sg-a"],
            "block_device_mappings": [{"device_name": "/dev/xvdb"}, {"device_name": "/dev/xvda"}],
        }));
        let data = Data::parse(&desired).expect("parse");
        let out = data.attributes(&desired);
        assert_eq!(out["vpc_security_group_ids"], json!(["sg-b", "sg-a"]));
        assert_eq!(out["block_device_mappings"][0]["device_name"], json!("/dev/xvdb"));
        assert_eq!(out["metadata_options"], json!([]));
    }
}
