//! Reading `desired` attributes (Terraform JSON shape) and writing state values, shared by
//! the drivers so every driver accepts the same spellings and reports the same errors.
//!
//! Input is read leniently where Terraform itself is lenient (a number may arrive as a
//! numeric string, a bool as `"true"`), and strictly otherwise: a wrong type is an error that
//! names the attribute, never a silent default.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::DriverError;

/// Attributes of one resource or nested block.
pub type Attrs = Map<String, Value>;

fn wrong(key: &str, expected: &str, got: &Value) -> DriverError {
    DriverError::new(format!("attribute `{key}`: expected {expected}, got {got}"))
}

/// A string attribute; absent, `null` and `""` are `None` (Terraform's "not set").
pub fn string(attrs: &Attrs, key: &str) -> Result<Option<String>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(wrong(key, "a string", other)),
    }
}

/// A string attribute that must be set.
pub fn required_string(attrs: &Attrs, key: &str) -> Result<String, DriverError> {
    string(attrs, key)?.ok_or_else(|| DriverError::new(format!("attribute `{key}` is required")))
}

/// A whole-number attribute (a JSON number or a numeric string).
pub fn int(attrs: &Attrs, key: &str) -> Result<Option<i64>, DriverError> {
    let value = match attrs.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let parsed = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    parsed.map(Some).ok_or_else(|| wrong(key, "a whole number", value))
}

/// A whole-number attribute that fits the SDK's `i32` fields.
pub fn int32(attrs: &Attrs, key: &str) -> Result<Option<i32>, DriverError> {
    match int(attrs, key)? {
        None => Ok(None),
        Some(n) => i32::try_from(n)
            .map(Some)
            .map_err(|_| DriverError::new(format!("attribute `{key}`: {n} is out of range"))),
    }
}

/// A number attribute (a JSON number or a numeric string).
pub fn float(attrs: &Attrs, key: &str) -> Result<Option<f64>, DriverError> {
    let value = match attrs.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let parsed = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    parsed
        .filter(|f| f.is_finite())
        .map(Some)
        .ok_or_else(|| wrong(key, "a number", value))
}

/// A bool attribute (a JSON bool or `"true"` / `"false"`).
pub fn boolean(attrs: &Attrs, key: &str) -> Result<Option<bool>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(other) => Err(wrong(key, "a bool", other)),
    }
}

/// Every instance of a nested block (`[{…}, …]`; a bare object counts as one instance).
pub fn blocks<'a>(attrs: &'a Attrs, key: &str) -> Result<Vec<&'a Attrs>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(o)) => Ok(vec![o]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_object().ok_or_else(|| wrong(key, "a list of blocks", item)))
            .collect(),
        Some(other) => Err(wrong(key, "a list of blocks", other)),
    }
}

/// The single instance of a nested block that may appear at most once.
pub fn block<'a>(attrs: &'a Attrs, key: &str) -> Result<Option<&'a Attrs>, DriverError> {
    let all = blocks(attrs, key)?;
    match all.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(DriverError::new(format!(
            "block `{key}` may appear only once, found {}",
            all.len()
        ))),
    }
}

/// A list (or set) of strings; absent is empty.
pub fn string_list(attrs: &Attrs, key: &str) -> Result<Vec<String>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| wrong(key, "a list of strings", item))
            })
            .collect(),
        Some(other) => Err(wrong(key, "a list of strings", other)),
    }
}

/// A map of strings; absent is empty. Numbers and bools are accepted as their text, as
/// Terraform converts them for `map(string)`.
pub fn string_map(attrs: &Attrs, key: &str) -> Result<BTreeMap<String, String>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                Value::Bool(b) => Ok((k.clone(), b.to_string())),
                other => Err(wrong(&format!("{key}.{k}"), "a string", other)),
            })
            .collect(),
        Some(other) => Err(wrong(key, "a map of strings", other)),
    }
}

/// A string map as a state value.
pub fn map_value(map: &BTreeMap<String, String>) -> Value {
    Value::Object(map.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

/// A number as a state value: whole numbers as JSON integers, so `80` read back from an API
/// that returns doubles still equals the `80` that was desired.
pub fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

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

/// A JSON document re-serialised compactly with sorted keys.
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(v: Value) -> Attrs {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn numbers_arrive_as_numbers_or_numeric_strings() {
        let a = attrs(json!({"a": 5, "b": "7", "c": 3.0, "d": "x", "e": 2.5}));
        assert_eq!(int(&a, "a"), Ok(Some(5)));
        assert_eq!(int(&a, "b"), Ok(Some(7)));
        assert_eq!(int(&a, "c"), Ok(Some(3)));
        assert_eq!(int(&a, "missing"), Ok(None));
        assert!(int(&a, "d").is_err_and(|e| e.message.contains("`d`")));
        assert!(int(&a, "e").is_err());
        assert_eq!(float(&a, "e"), Ok(Some(2.5)));
        assert_eq!(float(&a, "b"), Ok(Some(7.0)));
    }

    #[test]
    fn empty_strings_are_unset_and_wrong_types_are_errors() {
        let a = attrs(json!({"a": "", "b": "x", "c": 1, "t": "true", "f": false}));
        assert_eq!(string(&a, "a"), Ok(None));
        assert_eq!(string(&a, "b"), Ok(Some("x".into())));
        assert!(string(&a, "c").is_err());
        assert!(required_string(&a, "a").is_err_and(|e| e.message.contains("required")));
        assert_eq!(boolean(&a, "t"), Ok(Some(true)));
        assert_eq!(boolean(&a, "f"), Ok(Some(false)));
        assert!(boolean(&a, "b").is_err());
    }

    #[test]
    fn blocks_are_lists_of_objects() {
        let a = attrs(json!({"one": [{"x": 1}], "two": [{"x": 1}, {"x": 2}], "none": [], "bad": [1]}));
        assert_eq!(block(&a, "one").expect("ok").and_then(|b| b.get("x")), Some(&json!(1)));
        assert_eq!(blocks(&a, "two").expect("ok").len(), 2);
        assert!(block(&a, "two").is_err());
        assert_eq!(block(&a, "none"), Ok(None));
        assert!(blocks(&a, "bad").is_err());
    }

    #[test]
    fn whole_numbers_are_written_as_integers() {
        assert_eq!(number(80.0), json!(80));
        assert_eq!(number(0.5), json!(0.5));
    }

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
}
