//! Helpers shared by the edge drivers (API Gateway v2, WAFv2, CloudFront, Route 53):
//! typed access to Terraform-JSON attributes, tags, regions and ARNs, bounded waits, and
//! the normalisation that makes a read compare equal to what was applied.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::{COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState, DriverError, aws_error};

/// Attributes in Terraform's JSON shape.
pub(crate) type Attrs = Map<String, Value>;

/// A string attribute; `None` when absent or null. Any other type is an error, so a
/// misspelt blueprint value never turns into a silently dropped setting.
pub(crate) fn opt_str<'a>(m: &'a Attrs, key: &str) -> Result<Option<&'a str>, DriverError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(DriverError::new(format!("`{key}` must be a string, got {other}"))),
    }
}

/// A string attribute that must be set (and not empty).
pub(crate) fn req_str<'a>(m: &'a Attrs, key: &str) -> Result<&'a str, DriverError> {
    match opt_str(m, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(DriverError::new(format!("`{key}` is required"))),
    }
}

/// A bool attribute; Terraform JSON may carry it as `"true"`/`"false"`.
pub(crate) fn opt_bool(m: &Attrs, key: &str) -> Result<Option<bool>, DriverError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(other) => Err(DriverError::new(format!("`{key}` must be a bool, got {other}"))),
    }
}

/// A whole-number attribute (a number, or a string holding one as Terraform allows).
pub(crate) fn opt_i64(m: &Attrs, key: &str) -> Result<Option<i64>, DriverError> {
    let bad = |v: &Value| DriverError::new(format!("`{key}` must be a whole number, got {v}"));
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(Some(i)),
            None => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                _ => Err(bad(v)),
            },
        },
        Some(v @ Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad(v)),
        Some(other) => Err(bad(other)),
    }
}

/// A whole-number attribute that must fit in an `i32` (most AWS integer fields).
pub(crate) fn opt_i32(m: &Attrs, key: &str) -> Result<Option<i32>, DriverError> {
    match opt_i64(m, key)? {
        None => Ok(None),
        Some(i) => i32::try_from(i)
            .map(Some)
            .map_err(|_| DriverError::new(format!("`{key}` is out of range: {i}"))),
    }
}

/// A number attribute (a number, or a string holding one).
pub(crate) fn opt_f64(m: &Attrs, key: &str) -> Result<Option<f64>, DriverError> {
    let bad = |v: &Value| DriverError::new(format!("`{key}` must be a number, got {v}"));
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Number(n)) => n.as_f64().map(Some).ok_or_else(|| bad(v)),
        Some(v @ Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad(v)),
        Some(other) => Err(bad(other)),
    }
}

/// A list (or set) of strings; absent or null is empty.
pub(crate) fn str_list(m: &Attrs, key: &str) -> Result<Vec<String>, DriverError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(DriverError::new(format!("`{key}` must hold strings, got {other}"))),
            })
            .collect(),
        Some(other) => Err(DriverError::new(format!(
            "`{key}` must be a list of strings, got {other}"
        ))),
    }
}

/// A map of strings; absent or null is empty. Numbers and bools are written as Terraform
/// writes them in a `map(string)`.
pub(crate) fn str_map(m: &Attrs, key: &str) -> Result<BTreeMap<String, String>, DriverError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                Value::Bool(b) => Ok((k.clone(), b.to_string())),
                other => Err(DriverError::new(format!("`{key}.{k}` must be a string, got {other}"))),
            })
            .collect(),
        Some(other) => Err(DriverError::new(format!("`{key}` must be a map, got {other}"))),
    }
}

/// The objects of a nested block (Terraform JSON: an array of objects; a lone object is
/// accepted too). Absent, null or empty is no block.
pub(crate) fn blocks<'a>(m: &'a Attrs, key: &str) -> Result<Vec<&'a Attrs>, DriverError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(o)) => Ok(vec![o]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::Object(o) => Ok(o),
                other => Err(DriverError::new(format!(
                    "`{key}` must hold blocks (objects), got {other}"
                ))),
            })
            .collect(),
        Some(other) => Err(DriverError::new(format!("`{key}` must be a block list, got {other}"))),
    }
}

/// The single object of a `max_items = 1` block, if set.
pub(crate) fn block<'a>(m: &'a Attrs, key: &str) -> Result<Option<&'a Attrs>, DriverError> {
    let all = blocks(m, key)?;
    if all.len() > 1 {
        return Err(DriverError::new(format!("`{key}` takes one block, got {}", all.len())));
    }
    Ok(all.into_iter().next())
}

/// Whether a nested block is present (`[{}]` counts: an empty block is a choice, such as
/// WAF's `allow {}`).
pub(crate) fn has_block(m: &Attrs, key: &str) -> bool {
    matches!(m.get(key), Some(Value::Array(a)) if !a.is_empty()) || matches!(m.get(key), Some(Value::Object(_)))
}

/// A JSON array of strings.
pub(crate) fn strings_value<S: AsRef<str>>(items: &[S]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.as_ref().to_string())).collect())
}

/// A JSON object of strings.
pub(crate) fn string_map_value<'a>(items: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    Value::Object(
        items
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// An optional string as JSON (`None` is null).
pub(crate) fn opt_string_value(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}

/// A float AWS returns (rates, thresholds) as JSON: whole values become integers, so a
/// blueprint's `100` and AWS's `100.0` compare equal.
pub(crate) fn f64_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// A one-element block list.
pub(crate) fn block_value(m: Attrs) -> Value {
    Value::Array(vec![Value::Object(m)])
}

/// Tags to put on a child: the context's tags (provider `default_tags`, composite `tags`,
/// the wellarch markers) overlaid with the component's own `tags`, markers kept.
pub(crate) fn tags_to_apply(ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<BTreeMap<String, String>, DriverError> {
    let mut all = ctx.tags.clone();
    all.extend(str_map(desired, "tags")?);
    for marker in [COMPOSITE_TAG, COMPONENT_TAG] {
        if let Some(v) = ctx.tags.get(marker) {
            all.insert(marker.to_string(), v.clone());
        }
    }
    Ok(all)
}

/// The component's own `tags` as they read back: every tag on the resource except those
/// that only come from the context (so `tags` compares equal to the blueprint's value and
/// a tag added out of band still shows up as drift).
pub(crate) fn own_tags(
    ctx: &ChildCtx<'_>,
    state: &Attrs,
    actual: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, DriverError> {
    let declared = str_map(state, "tags")?;
    Ok(actual
        .iter()
        .filter(|(k, v)| declared.contains_key(*k) || ctx.tags.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

/// Writes `tags` (the component's own) and `tags_all` (everything applied) into a state.
pub(crate) fn put_tags(state: &mut Attrs, own: &BTreeMap<String, String>, all: &BTreeMap<String, String>) {
    state.insert("tags".into(), string_map_value(own));
    state.insert("tags_all".into(), string_map_value(all));
}

/// The tag changes that turn `old` into `new`: tags to set, keys to remove.
pub(crate) fn tag_changes(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> (HashMap<String, String>, Vec<String>) {
    let set = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
    (set, remove)
}

/// The region the child lives in: its own, else the provider's.
pub(crate) fn region_of(ctx: &ChildCtx<'_>) -> Option<String> {
    ctx.region
        .map(str::to_string)
        .or_else(|| ctx.env.base.region().map(|r| r.as_ref().to_string()))
}

/// The ARN partition of a region.
pub(crate) fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// The region, or an error when none is configured (ARNs need it).
pub(crate) fn require_region(ctx: &ChildCtx<'_>) -> Result<String, DriverError> {
    region_of(ctx).ok_or_else(|| DriverError::new("no AWS region configured for this component"))
}

/// The account the credentials belong to (STS GetCallerIdentity), for ARNs AWS does not
/// return whole.
pub(crate) async fn account_id(ctx: &ChildCtx<'_>) -> Result<String, DriverError> {
    let sts = aws_sdk_sts::Client::new(&ctx.config("sts"));
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| aws_error("GetCallerIdentity", e))?;
    out.account()
        .map(str::to_string)
        .ok_or_else(|| DriverError::new("GetCallerIdentity: no account in the answer"))
}

/// Polls `check` until it answers `true`, for at most the component timeout, backing off
/// from half a second to ten seconds between tries.
pub(crate) async fn wait_until<F, Fut>(ctx: &ChildCtx<'_>, what: &str, mut check: F) -> Result<(), DriverError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, DriverError>>,
{
    let timeout = ctx.env.component_timeout;
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(500);
    loop {
        if check().await? {
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(DriverError::new(format!(
                "timed out after {}s waiting for {what}",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Rewrites `actual` (what AWS has, in Terraform's shape) in the representation of `prev`
/// (what was applied) wherever the two mean the same thing, so that equal things compare
/// equal and only real differences remain:
/// - empty values (null, `""`, `[]`, `{}`) are interchangeable, and an empty attribute AWS
///   leaves out matches an empty one in `prev`;
/// - numbers compare by value (`100` and `100.0`);
/// - lists of scalars compare as sets (Terraform's set attributes; AWS reorders them).
///
/// Nested blocks are matched position by position; order set-like blocks first.
pub(crate) fn mirror(actual: Value, prev: &Value) -> Value {
    if is_empty(&actual) && is_empty(prev) {
        return prev.clone();
    }
    match (actual, prev) {
        (Value::Number(a), Value::Number(p)) if a.as_f64() == p.as_f64() => Value::Number(p.clone()),
        (Value::Array(a), Value::Array(p)) => {
            if a.len() == p.len() && a.iter().chain(p).all(is_scalar) {
                let key = |v: &Value| v.to_string();
                let mut sa: Vec<String> = a.iter().map(key).collect();
                let mut sp: Vec<String> = p.iter().map(key).collect();
                sa.sort();
                sp.sort();
                if sa == sp {
                    return Value::Array(p.clone());
                }
                return Value::Array(a);
            }
            if a.len() == p.len() {
                return Value::Array(a.into_iter().zip(p).map(|(x, y)| mirror(x, y)).collect());
            }
            Value::Array(a)
        }
        (Value::Object(a), Value::Object(p)) => Value::Object(mirror_map(a, p)),
        (a, _) => a,
    }
}

/// [`mirror`] for a map of attributes.
pub(crate) fn mirror_map(actual: Attrs, prev: &Attrs) -> Attrs {
    let mut out = Map::new();
    for (k, v) in actual {
        match prev.get(&k) {
            Some(p) => {
                out.insert(k, mirror(v, p));
            }
            None if is_empty(&v) => {}
            None => {
                out.insert(k, v);
            }
        }
    }
    for (k, p) in prev {
        if !out.contains_key(k) && is_empty(p) {
            out.insert(k.clone(), p.clone());
        }
    }
    out
}

/// The state a read returns: the prior state (attributes AWS does not report stay as they
/// were) overlaid with what AWS reports now, normalised against the prior values.
pub(crate) fn read_state(prior: &ChildState, actual: Attrs) -> ChildState {
    let mut out = prior.clone();
    for (k, v) in actual {
        let v = match prior.get(&k) {
            Some(p) => mirror(v, p),
            None => v,
        };
        out.insert(k, v);
    }
    out
}

/// Orders set-like blocks (WAF rules, CloudFront origins) as `prev` lists them, matching on
/// the string attribute `key`; blocks `prev` does not have go last, in AWS's order.
pub(crate) fn order_like(mut actual: Vec<Value>, prev: Option<&Value>, key: &str) -> Vec<Value> {
    let Some(Value::Array(prev)) = prev else {
        return actual;
    };
    let position = |v: &Value| {
        let k = v.get(key);
        prev.iter()
            .position(|p| k.is_some() && p.get(key) == k)
            .unwrap_or(usize::MAX)
    };
    actual.sort_by_key(position);
    actual
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mirror_treats_empties_numbers_and_sets_as_equal() {
        let prev = json!({"a": null, "b": 100, "c": ["x", "y"], "d": [{"e": []}]});
        let actual = json!({"b": 100.0, "c": ["y", "x"], "d": [{}], "extra": ""});
        assert_eq!(mirror(actual, &prev), prev);
    }

    #[test]
    fn mirror_keeps_real_differences() {
        let prev = json!({"b": 100, "c": ["x", "y"], "d": [{"e": "1"}]});
        let actual = json!({"b": 101, "c": ["x", "z"], "d": [{"e": "2"}], "f": "new"});
        assert_eq!(mirror(actual.clone(), &prev), actual);
    }

    #[test]
    fn whole_floats_become_integers() {
        assert_eq!(f64_value(100.0), json!(100));
        assert_eq!(f64_value(0.5), json!(0.5));
    }

    #[test]
    fn order_like_follows_prev() {
        let prev = json!([{"n": "b"}, {"n": "a"}]);
        let got = order_like(
            vec![json!({"n": "a"}), json!({"n": "c"}), json!({"n": "b"})],
            Some(&prev),
            "n",
        );
        assert_eq!(got, vec![json!({"n": "b"}), json!({"n": "a"}), json!({"n": "c"})]);
    }

    #[test]
    fn tag_changes_sets_and_removes() {
        let old = BTreeMap::from([("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
        let new = BTreeMap::from([("a".to_string(), "9".to_string()), ("c".to_string(), "3".to_string())]);
        let (set, remove) = tag_changes(&old, &new);
        assert_eq!(set.len(), 2);
        assert_eq!(set.get("a").map(String::as_str), Some("9"));
        assert_eq!(remove, vec!["b".to_string()]);
    }
}
