//! Reading `desired` attributes (Terraform JSON shape of `hashicorp/aws`) with errors that
//! name the attribute, and the tag bookkeeping shared by the IAM, Lambda and Cognito drivers.
//!
//! Tags follow `hashicorp/aws`: `tags` is what the component configured, `tags_all` what the
//! resource carries (the component's tags over [`ChildCtx::tags`], whose `wellarch:*` keys
//! always win so orphans stay findable).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::aws::{COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, DriverError};

fn wrong_type(key: &str, expected: &str, got: &Value) -> DriverError {
    DriverError::new(format!("attribute `{key}` must be {expected}, got {got}"))
}

/// A string attribute; `None` when absent or null.
pub fn opt_str<'a>(attrs: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(key, "a string", other)),
    }
}

/// A string attribute that must be set.
pub fn req_str<'a>(attrs: &'a Map<String, Value>, key: &str) -> Result<&'a str, DriverError> {
    opt_str(attrs, key)?.ok_or_else(|| DriverError::new(format!("attribute `{key}` is required")))
}

/// An integer attribute (a JSON number, or a string of digits as Terraform may render it).
pub fn opt_i64(attrs: &Map<String, Value>, key: &str) -> Result<Option<i64>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| wrong_type(key, "a whole number", &Value::Number(n.clone()))),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| wrong_type(key, "a whole number", &Value::String(s.clone()))),
        Some(other) => Err(wrong_type(key, "a whole number", other)),
    }
}

/// An integer attribute that fits the `i32` AWS uses.
pub fn opt_i32(attrs: &Map<String, Value>, key: &str) -> Result<Option<i32>, DriverError> {
    match opt_i64(attrs, key)? {
        None => Ok(None),
        Some(n) => i32::try_from(n)
            .map(Some)
            .map_err(|_| DriverError::new(format!("attribute `{key}` is out of range: {n}"))),
    }
}

/// A boolean attribute (a JSON boolean, or `"true"` / `"false"`).
pub fn opt_bool(attrs: &Map<String, Value>, key: &str) -> Result<Option<bool>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(other) => Err(wrong_type(key, "a boolean", other)),
    }
}

/// A list (or set) of strings.
pub fn opt_str_list(attrs: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(wrong_type(key, "a list of strings", other)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(wrong_type(key, "a list of strings", other)),
    }
}

/// A map of strings (`tags`, `variables`).
pub fn opt_str_map(attrs: &Map<String, Value>, key: &str) -> Result<Option<BTreeMap<String, String>>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                Value::Bool(b) => Ok((k.clone(), b.to_string())),
                other => Err(wrong_type(key, "a map of strings", other)),
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Some),
        Some(other) => Err(wrong_type(key, "a map of strings", other)),
    }
}

/// The single object of a nested block (`password_policy`, `environment`): Terraform JSON
/// writes blocks as arrays of objects; a bare object is accepted too.
pub fn opt_block<'a>(attrs: &'a Map<String, Value>, key: &str) -> Result<Option<&'a Map<String, Value>>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(Value::Array(items)) => match items.as_slice() {
            [] => Ok(None),
            [Value::Object(map)] => Ok(Some(map)),
            _ => Err(DriverError::new(format!(
                "attribute `{key}` must be one block, got {}",
                items.len()
            ))),
        },
        Some(other) => Err(wrong_type(key, "a block", other)),
    }
}

/// A set of strings in Terraform's sense: sorted and deduplicated, so the order AWS
/// returns it in never reads as drift.
pub fn string_set<I, S>(items: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut v: Vec<String> = items.into_iter().map(|s| s.as_ref().to_string()).collect();
    v.sort();
    v.dedup();
    Value::Array(v.into_iter().map(Value::String).collect())
}

/// A string map as a JSON object with sorted keys.
pub fn string_map<'a, I>(items: I) -> Value
where
    I: IntoIterator<Item = (&'a String, &'a String)>,
{
    let sorted: BTreeMap<&String, &String> = items.into_iter().collect();
    Value::Object(
        sorted
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// The tags the resource must carry: [`ChildCtx::tags`], then the component's `tags`,
/// then the `wellarch:*` keys again so a component cannot hide itself from orphan search.
pub fn tags_all(ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<HashMap<String, String>, DriverError> {
    let mut all: HashMap<String, String> = ctx.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    all.extend(opt_str_map(desired, "tags")?.unwrap_or_default());
    for key in [COMPOSITE_TAG, COMPONENT_TAG] {
        if let Some(v) = ctx.tags.get(key) {
            all.insert(key.to_string(), v.clone());
        }
    }
    Ok(all)
}

/// `tags` and `tags_all` as a driver's state holds them, from the tags AWS reports:
/// `tags` leaves out keys that come only from the context (default and composite tags, the
/// `wellarch:*` keys) unless the component itself configured them in `prior`.
pub fn tags_state(ctx: &ChildCtx<'_>, prior: &Map<String, Value>, actual: &HashMap<String, String>) -> (Value, Value) {
    let configured = prior.get("tags").and_then(Value::as_object);
    let own = actual.iter().filter(|(k, v)| {
        configured.is_some_and(|c| c.contains_key(k.as_str())) || ctx.tags.get(k.as_str()) != Some(*v)
    });
    (string_map(own), string_map(actual.iter()))
}

/// `tags` for a state right after create/update: what the component configured.
pub fn configured_tags(desired: &Map<String, Value>) -> Result<Value, DriverError> {
    Ok(string_map(opt_str_map(desired, "tags")?.unwrap_or_default().iter()))
}

/// What to tag and untag to go from `current` to `wanted` (tags are authoritative: keys
/// nobody configured are removed, as `hashicorp/aws` does with `tags_all`).
pub fn tag_changes(
    current: &HashMap<String, String>,
    wanted: &HashMap<String, String>,
) -> (HashMap<String, String>, Vec<String>) {
    let set = wanted
        .iter()
        .filter(|(k, v)| current.get(k.as_str()) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut remove: Vec<String> = current
        .keys()
        .filter(|k| !wanted.contains_key(k.as_str()))
        .cloned()
        .collect();
    remove.sort();
    (set, remove)
}

/// The region a client of `service` talks to (the child's region or the provider's).
pub fn region(ctx: &ChildCtx<'_>, service: &str) -> Result<String, DriverError> {
    ctx.config(service)
        .region()
        .map(|r| r.to_string())
        .ok_or_else(|| DriverError::new("no AWS region configured (set `region` in the provider block)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::AwsEnv;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn scalars_accept_terraform_renderings() {
        let a = obj(json!({"n": 3, "s": "12", "f": 4.0, "b": "true", "bad": "x", "big": 5_000_000_000_i64}));
        assert_eq!(opt_i64(&a, "n"), Ok(Some(3)));
        assert_eq!(opt_i64(&a, "s"), Ok(Some(12)));
        assert_eq!(opt_i64(&a, "f"), Ok(Some(4)));
        assert_eq!(opt_i64(&a, "missing"), Ok(None));
        assert!(opt_i64(&a, "bad").is_err());
        assert!(opt_i32(&a, "big").expect_err("out of range").message.contains("big"));
        assert_eq!(opt_bool(&a, "b"), Ok(Some(true)));
        assert!(req_str(&a, "nope").expect_err("required").message.contains("`nope`"));
    }

    #[test]
    fn blocks_are_single_objects_in_arrays() {
        let a = obj(json!({"one": [{"x": 1}], "bare": {"x": 2}, "empty": [], "two": [{}, {}]}));
        assert_eq!(
            opt_block(&a, "one").ok().flatten().and_then(|m| m.get("x")),
            Some(&json!(1))
        );
        assert_eq!(
            opt_block(&a, "bare").ok().flatten().and_then(|m| m.get("x")),
            Some(&json!(2))
        );
        assert_eq!(opt_block(&a, "empty"), Ok(None));
        assert!(opt_block(&a, "two").is_err());
    }

    #[test]
    fn tag_changes_set_and_remove() {
        let current: HashMap<String, String> = [("a", "1"), ("b", "2"), ("c", "3")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let wanted: HashMap<String, String> = [("a", "1"), ("b", "9"), ("d", "4")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (set, remove) = tag_changes(&current, &wanted);
        assert_eq!(set.len(), 2);
        assert_eq!(set.get("b").map(String::as_str), Some("9"));
        assert_eq!(set.get("d").map(String::as_str), Some("4"));
        assert_eq!(remove, vec!["c".to_string()]);
    }

    #[tokio::test]
    async fn context_tags_stay_out_of_configured_tags() {
        let base = aws_types::SdkConfig::builder().build();
        let env = AwsEnv {
            base,
            endpoints: Default::default(),
            component_timeout: std::time::Duration::from_secs(1),
        };
        let ctx_tags: BTreeMap<String, String> = [
            (COMPOSITE_TAG.to_string(), "wellarch_x.y".to_string()),
            ("team".to_string(), "default".to_string()),
        ]
        .into_iter()
        .collect();
        let ctx = ChildCtx {
            env: &env,
            region: None,
            tags: &ctx_tags,
            composite: "wellarch_x.y",
            component: "aws_iam_role.r",
        };
        let desired = obj(json!({"tags": {"team": "mine", "app": "a", COMPOSITE_TAG: "spoof"}}));
        let all = tags_all(&ctx, &desired).expect("tags");
        assert_eq!(all.get("team").map(String::as_str), Some("mine"));
        assert_eq!(all.get(COMPOSITE_TAG).map(String::as_str), Some("wellarch_x.y"));

        let prior = obj(json!({"tags": {"app": "a"}}));
        let (tags, every) = tags_state(&ctx, &prior, &all);
        assert_eq!(tags, json!({"app": "a", "team": "mine"}));
        assert_eq!(every.as_object().map(|m| m.len()), Some(3));
    }
}
