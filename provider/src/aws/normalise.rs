//! Making what a read gets from AWS compare equal to what was applied wherever the two mean
//! the same thing (AWS reorders sets, re-serialises JSON documents, answers `100.0` for
//! `100`, leaves empty settings out), so only real differences show up as drift.

use serde_json::{Map, Value};

use super::attrs::{Attrs, is_unset};
use super::{ChildState, DriverError};

/// Keys of objects sorted, recursively, so two spellings of one document compare equal.
fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// A JSON document re-serialised compactly with sorted keys. (IAM policy documents have
/// their own, deeper canonical form: `policy_json`.)
pub fn canonical_json(text: &str) -> Result<String, DriverError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| DriverError::new(format!("invalid JSON document: {e}")))?;
    Ok(sort_keys(value).to_string())
}

/// Whether two JSON documents are the same document (key order and spacing aside).
pub fn json_equivalent(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<Value>(a), serde_json::from_str::<Value>(b)) {
        (Ok(a), Ok(b)) => sort_keys(a) == sort_keys(b),
        _ => a == b,
    }
}

/// The state value of a JSON-document attribute that AWS returned as `actual`: the prior
/// (desired) spelling when it is the same document, so comparing desired with read shows
/// no phantom change; otherwise AWS's document in canonical form.
pub fn json_like_prior(prior: Option<&Value>, actual: &str) -> Value {
    if actual.is_empty() {
        return Value::String(String::new());
    }
    if let Some(Value::String(p)) = prior
        && json_equivalent(p, actual)
    {
        return Value::String(p.clone());
    }
    Value::String(canonical_json(actual).unwrap_or_else(|_| actual.to_string()))
}

/// A set-valued attribute as read from AWS, in the prior order when it holds the same
/// members (AWS does not keep the order of sets), so desired and read compare equal.
pub fn set_like_prior(prior: Option<&Value>, actual: Vec<Value>) -> Value {
    if let Some(Value::Array(p)) = prior
        && p.len() == actual.len()
        && p.iter().all(|v| actual.contains(v))
        && actual.iter().all(|v| p.contains(v))
    {
        return Value::Array(p.clone());
    }
    Value::Array(actual)
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
/// Nested blocks are matched position by position; order set-like blocks first
/// ([`order_like`]).
pub fn mirror(actual: Value, prev: &Value) -> Value {
    if is_unset(&actual) && is_unset(prev) {
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
pub fn mirror_map(actual: Attrs, prev: &Attrs) -> Attrs {
    let mut out = Map::new();
    for (k, v) in actual {
        match prev.get(&k) {
            Some(p) => {
                out.insert(k, mirror(v, p));
            }
            None if is_unset(&v) => {}
            None => {
                out.insert(k, v);
            }
        }
    }
    for (k, p) in prev {
        if !out.contains_key(k) && is_unset(p) {
            out.insert(k.clone(), p.clone());
        }
    }
    out
}

/// The state a read returns: the prior state (attributes AWS does not report stay as they
/// were) overlaid with what AWS reports now, normalised against the prior values.
pub fn read_state(prior: &ChildState, actual: Attrs) -> ChildState {
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

/// Orders set-like blocks (WAF rules, CloudFront origins, lifecycle rules) as `prev` lists
/// them, matching on the string attribute `key`; blocks `prev` does not have go last, in
/// AWS's order.
pub fn order_like(mut actual: Vec<Value>, prev: Option<&Value>, key: &str) -> Vec<Value> {
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
    fn json_documents_keep_the_desired_spelling_when_equivalent() {
        let prior = json!(r#"{"maxReceiveCount":5,"deadLetterTargetArn":"arn:q"}"#);
        let aws = r#"{"deadLetterTargetArn": "arn:q", "maxReceiveCount": 5}"#;
        assert_eq!(json_like_prior(Some(&prior), aws), prior);
        let changed = r#"{"deadLetterTargetArn":"arn:q","maxReceiveCount":9}"#;
        assert_eq!(
            json_like_prior(Some(&prior), changed),
            json!(r#"{"deadLetterTargetArn":"arn:q","maxReceiveCount":9}"#)
        );
        assert_eq!(json_like_prior(None, ""), json!(""));
    }

    #[test]
    fn sets_keep_the_prior_order() {
        let prior = json!(["b", "a"]);
        assert_eq!(set_like_prior(Some(&prior), vec![json!("a"), json!("b")]), prior);
        assert_eq!(set_like_prior(Some(&prior), vec![json!("a")]), json!(["a"]));
    }

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
    fn order_like_follows_prev() {
        let prev = json!([{"n": "b"}, {"n": "a"}]);
        let got = order_like(
            vec![json!({"n": "a"}), json!({"n": "c"}), json!({"n": "b"})],
            Some(&prev),
            "n",
        );
        assert_eq!(got, vec![json!({"n": "b"}), json!({"n": "a"}), json!({"n": "c"})]);
    }
}
