//! Tags, the same way for every driver: what to put on a child, what its state shows, and
//! which tag calls bring AWS in line.
//!
//! A child carries `ctx.tags` (provider default tags, the composite's tags and the two
//! `wellarch:*` tags) overlaid by its own `tags` attribute. As in `hashicorp/aws`, state
//! has `tags_all` (everything on the resource) and `tags` (the child's own tags, plus any
//! tag whose value is not the one `ctx.tags` puts there, so a tag changed out of band shows
//! up as drift of `tags`).

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use super::attrs::{self, Attrs};
use super::{COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, DriverError};

pub type Tags = BTreeMap<String, String>;

/// Tags as the services that answer a plain map report them (`None`: no tags).
pub fn from_map(tags: Option<&HashMap<String, String>>) -> Tags {
    tags.map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// The child's own `tags` attribute (from `desired`, or from a state written by a driver).
pub fn configured(attrs: &Attrs) -> Result<Tags, DriverError> {
    attrs::string_map(attrs, "tags")
}

/// Every tag to put on the child: `ctx.tags` overlaid by its own tags; the `wellarch:*`
/// tags always come from `ctx` so orphans stay findable.
pub fn wanted(ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Tags, DriverError> {
    let mut all = ctx.tags.clone();
    all.extend(configured(desired)?);
    for key in [COMPOSITE_TAG, COMPONENT_TAG] {
        if let Some(v) = ctx.tags.get(key) {
            all.insert(key.to_string(), v.clone());
        }
    }
    Ok(all)
}

/// The `tags` a read reports for tags `actual` on AWS: every tag except those that carry
/// exactly the value `ctx.tags` puts there, unless the previous state showed that very tag
/// (the child configures it too). A context tag changed out of band thus shows, and stops
/// showing once it is set back; a context tag the child configures itself always shows.
pub fn visible(ctx: &ChildCtx<'_>, prior: &Tags, actual: &Tags) -> Tags {
    actual
        .iter()
        .filter(|(k, v)| ctx.tags.get(*k) != Some(*v) || prior.get(*k) == Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Whether a resource with `actual` tags belongs to the composite of `ctx` (for `find`).
pub fn owned(ctx: &ChildCtx<'_>, actual: &Tags) -> bool {
    actual.get(COMPOSITE_TAG).map(String::as_str) == Some(ctx.composite)
}

/// Writes `tags` and `tags_all` into a state.
pub fn put_state(state: &mut Attrs, tags: &Tags, tags_all: &Tags) {
    state.insert("tags".into(), attrs::map_value(tags));
    state.insert("tags_all".into(), attrs::map_value(tags_all));
}

/// Writes the state tags of a child just created or updated with `all` tags: `tags` is what
/// the component configured.
pub fn put_applied(state: &mut Attrs, desired: &Attrs, all: &Tags) -> Result<(), DriverError> {
    put_state(state, &configured(desired)?, all);
    Ok(())
}

/// Writes the state tags of a child read back with `actual` tags; `prior` is its previous
/// state (whose `tags` say which context tags it configures itself).
pub fn put_read_state(ctx: &ChildCtx<'_>, state: &mut Attrs, prior: &Attrs, actual: &Tags) -> Result<(), DriverError> {
    let shown = visible(ctx, &configured(prior)?, actual);
    put_state(state, &shown, actual);
    Ok(())
}

/// The tag calls that turn `actual` into `wanted`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Tags to add or overwrite.
    pub set: Tags,
    /// Tag keys to remove.
    pub remove: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }
}

/// What to tag and untag to go from `actual` to `wanted`. Tags are authoritative: keys nobody
/// configured are removed, as `hashicorp/aws` does with `tags_all`.
pub fn diff(actual: &Tags, wanted: &Tags) -> Diff {
    Diff {
        set: wanted
            .iter()
            .filter(|(k, v)| actual.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        remove: actual.keys().filter(|k| !wanted.contains_key(*k)).cloned().collect(),
    }
}

/// Brings a resource's tags from `actual` to `wanted` through its service's tag calls:
/// `untag` removes keys first, then `tag` sets values; each is called only when it has
/// something to do.
pub async fn sync<U, UFut, T, TFut>(actual: &Tags, wanted: &Tags, untag: U, tag: T) -> Result<(), DriverError>
where
    U: FnOnce(Vec<String>) -> UFut,
    UFut: Future<Output = Result<(), DriverError>>,
    T: FnOnce(Tags) -> TFut,
    TFut: Future<Output = Result<(), DriverError>>,
{
    let Diff { set, remove } = diff(actual, wanted);
    if !remove.is_empty() {
        untag(remove).await?;
    }
    if !set.is_empty() {
        tag(set).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn with_ctx(ctx_tags: &Tags, f: impl FnOnce(&ChildCtx<'_>)) {
        let env = crate::aws::AwsEnv {
            base: aws_types::SdkConfig::builder().build(),
            endpoints: Default::default(),
            component_timeout: std::time::Duration::from_secs(1),
        };
        let ctx = ChildCtx {
            env: &env,
            region: None,
            tags: ctx_tags,
            composite: "wellarch_burst_tolerant_api.x",
            component: "aws_sqs_queue.q",
        };
        f(&ctx);
    }

    #[test]
    fn own_tags_overlay_context_tags_but_not_the_wellarch_ones() {
        let ctx_tags = tags(&[(COMPOSITE_TAG, "c"), (COMPONENT_TAG, "q"), ("env", "prod")]);
        with_ctx(&ctx_tags, |ctx| {
            let desired = json!({"tags": {"env": "dev", "team": "a", COMPONENT_TAG: "other"}});
            let all = wanted(ctx, desired.as_object().expect("object")).expect("tags");
            assert_eq!(
                all,
                tags(&[
                    (COMPOSITE_TAG, "c"),
                    (COMPONENT_TAG, "q"),
                    ("env", "dev"),
                    ("team", "a")
                ])
            );
        });
    }

    #[test]
    fn read_shows_own_tags_and_changed_context_tags() {
        let ctx_tags = tags(&[(COMPOSITE_TAG, "c"), ("env", "prod"), ("owner", "platform")]);
        with_ctx(&ctx_tags, |ctx| {
            // The child configures `team`, and `owner` with the context's own value.
            let own = tags(&[("owner", "platform"), ("team", "a")]);
            let in_sync = tags(&[
                (COMPOSITE_TAG, "c"),
                ("env", "prod"),
                ("owner", "platform"),
                ("team", "a"),
            ]);
            assert_eq!(visible(ctx, &own, &in_sync), own);

            let drifted = tags(&[
                (COMPOSITE_TAG, "c"),
                ("env", "test"),
                ("owner", "platform"),
                ("team", "a"),
                ("extra", "1"),
            ]);
            let shown = visible(ctx, &own, &drifted);
            assert_eq!(
                shown,
                tags(&[("env", "test"), ("extra", "1"), ("owner", "platform"), ("team", "a")])
            );

            // Read again after `env` is set back and `extra` removed: `env` no longer shows,
            // though the previous read showed it.
            assert_eq!(visible(ctx, &shown, &in_sync), own);
        });
    }

    #[test]
    fn diff_sets_changed_and_removes_extra() {
        let d = diff(
            &tags(&[("a", "1"), ("b", "2")]),
            &tags(&[("a", "1"), ("b", "3"), ("c", "4")]),
        );
        assert_eq!(d.set, tags(&[("b", "3"), ("c", "4")]));
        assert!(d.remove.is_empty());
        let d = diff(&tags(&[("a", "1"), ("x", "2")]), &tags(&[("a", "1")]));
        assert!(d.set.is_empty());
        assert_eq!(d.remove, vec!["x".to_string()]);
        assert!(diff(&tags(&[("a", "1")]), &tags(&[("a", "1")])).is_empty());
    }

    #[tokio::test]
    async fn sync_calls_only_what_is_needed() {
        use std::sync::Mutex;
        let calls = Mutex::new(Vec::new());
        let record = |call: String| {
            calls.lock().expect("calls").push(call);
            async { Ok(()) }
        };
        sync(
            &tags(&[("a", "1"), ("x", "2")]),
            &tags(&[("a", "1"), ("b", "3")]),
            |keys| record(format!("untag {keys:?}")),
            |set| record(format!("tag {set:?}")),
        )
        .await
        .expect("sync");
        assert_eq!(
            *calls.lock().expect("calls"),
            [r#"untag ["x"]"#.to_string(), r#"tag {"b": "3"}"#.to_string()]
        );
        calls.lock().expect("calls").clear();
        sync(
            &tags(&[("a", "1")]),
            &tags(&[("a", "1")]),
            |_| record("untag".into()),
            |_| record("tag".into()),
        )
        .await
        .expect("sync");
        assert!(calls.lock().expect("calls").is_empty());
    }
}
