//! EC2 tags, the same way for the EC2 drivers: tags go on at create time through a tag
//! specification (so a resource is never untagged, even if the create call is the last
//! thing that succeeds), come back inside every Describe answer, change through the
//! generic CreateTags / DeleteTags, and find an existing child through `tag:` filters.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};

use super::tags::{self, Tags};
use super::{COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, DriverError, aws_error};

/// The EC2 client for a child, in its region with the `ec2` endpoint override.
pub fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("ec2"))
}

/// Tags as the Describe calls return them.
pub fn from_sdk(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .collect()
}

fn to_sdk(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// The tag specification that tags a resource of `kind` as it is created; `None` with no
/// tags (EC2 rejects an empty specification).
pub fn specification(kind: ResourceType, tags: &Tags) -> Option<Vec<TagSpecification>> {
    (!tags.is_empty()).then(|| {
        vec![
            TagSpecification::builder()
                .resource_type(kind)
                .set_tags(Some(to_sdk(tags)))
                .build(),
        ]
    })
}

/// A Describe filter on one value.
pub fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// Filters matching the children this component of this composite tagged, for `find`.
pub fn owner_filters(ctx: &ChildCtx<'_>) -> Vec<Filter> {
    vec![
        filter(&format!("tag:{COMPOSITE_TAG}"), ctx.composite),
        filter(&format!("tag:{COMPONENT_TAG}"), ctx.component),
    ]
}

/// Whether a described resource carries this very child's tags. `find` checks it besides
/// asking for [`owner_filters`]: an emulator may ignore tag filters (moto does for NAT
/// gateways), and adopting another component's resource would be worse than creating one.
pub fn owned_by_child(ctx: &ChildCtx<'_>, sdk: &[Tag]) -> bool {
    let all = from_sdk(sdk);
    all.get(COMPOSITE_TAG).map(String::as_str) == Some(ctx.composite)
        && all.get(COMPONENT_TAG).map(String::as_str) == Some(ctx.component)
}

/// Brings the tags of resource `id` from `actual` (its Describe answer) to `wanted`.
pub async fn sync(client: &Client, id: &str, actual: &Tags, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        actual,
        wanted,
        |keys| async move {
            let keys = keys.into_iter().map(|k| Tag::builder().key(k).build()).collect();
            client
                .delete_tags()
                .resources(id)
                .set_tags(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("DeleteTags", e))
        },
        |set| async move {
            client
                .create_tags()
                .resources(id)
                .set_tags(Some(to_sdk(&set)))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("CreateTags", e))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_no_empty_specification() {
        let tags: Tags = [("a".to_string(), "1".to_string()), ("b".to_string(), String::new())].into();
        assert_eq!(from_sdk(&to_sdk(&tags)), tags);
        assert!(specification(ResourceType::RouteTable, &Tags::new()).is_none());
        let spec = specification(ResourceType::RouteTable, &tags).expect("a specification");
        assert_eq!(spec[0].resource_type(), Some(&ResourceType::RouteTable));
        assert_eq!(spec[0].tags().len(), 2);
    }

    #[test]
    fn find_adopts_only_this_component() {
        let env = crate::aws::AwsEnv {
            base: aws_types::SdkConfig::builder().build(),
            endpoints: Default::default(),
            component_timeout: std::time::Duration::from_secs(1),
        };
        let ctx_tags = Tags::new();
        let ctx = ChildCtx {
            env: &env,
            region: None,
            tags: &ctx_tags,
            composite: "wellarch_multiregion_commerce.shop",
            component: "aws_vpc.main",
        };
        let tagged = |composite: &str, component: &str| {
            vec![
                Tag::builder().key(COMPOSITE_TAG).value(composite).build(),
                Tag::builder().key(COMPONENT_TAG).value(component).build(),
            ]
        };
        assert!(owned_by_child(
            &ctx,
            &tagged("wellarch_multiregion_commerce.shop", "aws_vpc.main")
        ));
        assert!(!owned_by_child(
            &ctx,
            &tagged("wellarch_multiregion_commerce.shop", "aws_vpc.other")
        ));
        assert!(!owned_by_child(
            &ctx,
            &tagged("wellarch_multiregion_commerce.other", "aws_vpc.main")
        ));
        assert!(!owned_by_child(&ctx, &[]));
    }
}
