//! Reading `desired` attributes (Terraform JSON shape of `hashicorp/aws`) and writing state
//! values, the same way for every driver, so every driver accepts the same spellings and
//! reports the same errors.
//!
//! "Not set" means what `hashicorp/aws` means by it (`d.GetOk`): absent, `null` and `""` are
//! all unset. Input is read leniently where Terraform itself is (a number may arrive as a
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

fn required(key: &str) -> DriverError {
    DriverError::new(format!("attribute `{key}` is required"))
}

/// A string attribute; absent, `null` and `""` are `None`.
pub fn string<'a>(attrs: &'a Attrs, key: &str) -> Result<Option<&'a str>, DriverError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong(key, "a string", other)),
    }
}

/// [`string`] as an owned value, for SDK builders' `set_*` methods.
pub fn owned_string(attrs: &Attrs, key: &str) -> Result<Option<String>, DriverError> {
    Ok(string(attrs, key)?.map(str::to_string))
}

/// A string attribute that must be set.
pub fn required_string<'a>(attrs: &'a Attrs, key: &str) -> Result<&'a str, DriverError> {
    string(attrs, key)?.ok_or_else(|| required(key))
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

/// Whether a nested block is present. `[{}]` counts: an empty block is a choice, such as
/// WAF's `allow {}` or a lifecycle rule's whole-bucket `filter {}`.
pub fn has_block(attrs: &Attrs, key: &str) -> bool {
    match attrs.get(key) {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(_)) => true,
        _ => false,
    }
}

/// A list (or set) of strings; unset is empty.
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

/// A map of strings; unset is empty. Numbers and bools are accepted as their text, as
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

/// Whether a value is Terraform's "not set": null, `""`, `[]` or `{}`.
pub fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Fails on settings of a block that a driver does not map, so nothing the configuration
/// says is silently dropped. `what` names the block in the error.
pub fn only_supported(attrs: &Attrs, what: &str, supported: &[&str]) -> Result<(), DriverError> {
    let unsupported: Vec<&str> = attrs
        .iter()
        .filter(|(k, v)| !supported.contains(&k.as_str()) && !is_unset(v))
        .map(|(k, _)| k.as_str())
        .collect();
    if unsupported.is_empty() {
        Ok(())
    } else {
        Err(DriverError::new(format!(
            "{what}: not supported: {}",
            unsupported.join(", ")
        )))
    }
}

/// An error unless `desired` leaves `key` unset or equal to `current`: for the identifying
/// attributes of a resource (its name, its bucket) that only a replacement can change.
pub fn unchanged(desired: &Attrs, key: &str, current: &str) -> Result<(), DriverError> {
    match string(desired, key)? {
        Some(wanted) if wanted != current => Err(DriverError::new(format!(
            "attribute `{key}` cannot change in place ({current} to {wanted}); the resource must be replaced"
        ))),
        _ => Ok(()),
    }
}

// ---- state values ----

/// A string as a state value.
pub fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// An optional string as a state value (`None` is null).
pub fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, text)
}

/// A list of strings as a state value, in the given order.
pub fn strings_value<S: AsRef<str>>(items: &[S]) -> Value {
    Value::Array(items.iter().map(|s| text(s.as_ref())).collect())
}

/// A set of strings as a state value: sorted and deduplicated, so the order AWS returns it
/// in never reads as drift.
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

/// A string map as a state value.
pub fn map_value<'a>(items: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    Value::Object(items.into_iter().map(|(k, v)| (k.clone(), text(v))).collect())
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

/// A one-instance nested block as a state value.
pub fn block_value(m: Attrs) -> Value {
    Value::Array(vec![Value::Object(m)])
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
        let a = attrs(json!({"a": 5, "b": "7", "c": 3.0, "d": "x", "e": 2.5, "big": 5_000_000_000_i64}));
        assert_eq!(int(&a, "a"), Ok(Some(5)));
        assert_eq!(int(&a, "b"), Ok(Some(7)));
        assert_eq!(int(&a, "c"), Ok(Some(3)));
        assert_eq!(int(&a, "missing"), Ok(None));
        assert!(int(&a, "d").is_err_and(|e| e.message.contains("`d`")));
        assert!(int(&a, "e").is_err());
        assert!(int32(&a, "big").is_err_and(|e| e.message.contains("`big`")));
        assert_eq!(float(&a, "e"), Ok(Some(2.5)));
        assert_eq!(float(&a, "b"), Ok(Some(7.0)));
    }

    #[test]
    fn empty_strings_are_unset_and_wrong_types_are_errors() {
        let a = attrs(json!({"a": "", "b": "x", "c": 1, "t": "true", "f": false}));
        assert_eq!(string(&a, "a"), Ok(None));
        assert_eq!(string(&a, "b"), Ok(Some("x")));
        assert_eq!(owned_string(&a, "b"), Ok(Some("x".to_string())));
        assert!(string(&a, "c").is_err());
        assert!(required_string(&a, "a").is_err_and(|e| e.message.contains("required")));
        assert_eq!(boolean(&a, "t"), Ok(Some(true)));
        assert_eq!(boolean(&a, "f"), Ok(Some(false)));
        assert!(boolean(&a, "b").is_err());
    }

    #[test]
    fn blocks_are_lists_of_objects() {
        let a = attrs(json!({
            "one": [{"x": 1}], "bare": {"x": 2}, "two": [{"x": 1}, {"x": 2}], "none": [], "bad": [1],
            "empty": [{}],
        }));
        assert_eq!(block(&a, "one").expect("ok").and_then(|b| b.get("x")), Some(&json!(1)));
        assert_eq!(block(&a, "bare").expect("ok").and_then(|b| b.get("x")), Some(&json!(2)));
        assert_eq!(blocks(&a, "two").expect("ok").len(), 2);
        assert!(block(&a, "two").is_err());
        assert_eq!(block(&a, "none"), Ok(None));
        assert!(blocks(&a, "bad").is_err());
        assert!(has_block(&a, "empty"));
        assert!(!has_block(&a, "none"));
        assert!(!has_block(&a, "missing"));
    }

    #[test]
    fn unsupported_settings_are_named() {
        let a = attrs(json!({"name": "x", "extra": [{"y": 1}], "unset": [], "null": null}));
        assert_eq!(
            only_supported(&a, "rule r", &["name"]).map_err(|e| e.message),
            Err("rule r: not supported: extra".to_string())
        );
        assert!(only_supported(&a, "rule r", &["name", "extra"]).is_ok());
    }

    #[test]
    fn identifying_attributes_cannot_change() {
        let a = attrs(json!({"name": "b", "unset": ""}));
        assert!(unchanged(&a, "name", "b").is_ok());
        assert!(unchanged(&a, "unset", "b").is_ok());
        assert!(unchanged(&a, "name", "a").is_err_and(|e| e.message.contains("(a to b)")));
    }

    #[test]
    fn state_values() {
        assert_eq!(number(80.0), json!(80));
        assert_eq!(number(0.5), json!(0.5));
        assert_eq!(string_set(["b", "a", "b"]), json!(["a", "b"]));
        assert_eq!(strings_value(&["b", "a"]), json!(["b", "a"]));
        assert_eq!(opt_text(None), Value::Null);
    }
}
