//! Terraform values as the plugin protocol carries them: typed by the schema, possibly
//! null or unknown at any depth, encoded as MessagePack (and JSON for stored state).
//!
//! A [`Value`] carries no type of its own; the [`Type`] derived from the schema guides
//! decoding and encoding, as in Terraform's own `cty` library.

pub mod json;
pub mod msgpack;
#[cfg(test)]
mod proptests;
pub mod types;

use std::collections::BTreeMap;
use std::fmt;

pub use types::Type;

/// One Terraform value.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    /// Not known until apply ("known after apply").
    Unknown,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    /// A list, or a tuple.
    List(Vec<Value>),
    /// Element order carries no meaning; equality ignores it.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x)),
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

/// Numeric equality: `30`, `30.0` and `"30"` decoded from the wire are one number.
fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (as_i128(a), as_i128(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.as_f64() == b.as_f64(),
    }
}

fn as_i128(n: &serde_json::Number) -> Option<i128> {
    n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from))
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether the value is known all the way down.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// An attribute of an object (`None` for anything else).
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }

    /// Sets an attribute of an object; does nothing on other values.
    pub fn set(&mut self, name: &str, value: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), value);
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Every unknown, at any depth, replaced by null (state after apply must be known).
    pub fn unknowns_to_null(self) -> Value {
        match self {
            Value::Unknown => Value::Null,
            Value::List(items) => Value::List(items.into_iter().map(Value::unknowns_to_null).collect()),
            Value::Set(items) => Value::Set(items.into_iter().map(Value::unknowns_to_null).collect()),
            Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, v.unknowns_to_null())).collect()),
            Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, v.unknowns_to_null())).collect()),
            other => other,
        }
    }

    /// Terraform's JSON shape, as `wellarch_blueprints` reads configurations: collections
    /// as arrays and objects, unknowns as [`wellarch_blueprints::unknown()`].
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Unknown => wellarch_blueprints::unknown(),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) | Value::Set(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Map(m) | Value::Object(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// The value of `json` as type `ty`. Conversions follow Terraform's: numbers and bools
    /// become strings where a string is expected, numeric strings become numbers, and
    /// object attributes missing from `json` are null.
    pub fn from_json(ty: &Type, json: &serde_json::Value) -> Result<Value, ConvertError> {
        from_json_at(ty, json, &mut Vec::new())
    }
}

/// Why a JSON value does not fit a type, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    /// `.a[0].b`
    pub path: String,
    pub message: String,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ConvertError {}

pub(crate) fn path_string(path: &[String]) -> String {
    path.concat()
}

fn convert_error(path: &[String], message: impl Into<String>) -> ConvertError {
    ConvertError {
        path: path_string(path),
        message: message.into(),
    }
}

fn from_json_at(ty: &Type, json: &serde_json::Value, path: &mut Vec<String>) -> Result<Value, ConvertError> {
    use serde_json::Value as J;
    if json.is_null() {
        return Ok(Value::Null);
    }
    if wellarch_blueprints::is_unknown(json) {
        return Ok(Value::Unknown);
    }
    match (ty, json) {
        (Type::Dynamic, _) => from_json_at(&Type::infer_json(json), json, path),
        (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, J::String(s)) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        (Type::Number, J::Number(n)) => Ok(Value::Number(n.clone())),
        (Type::Number, J::String(s)) => parse_number(s)
            .map(Value::Number)
            .ok_or_else(|| convert_error(path, format!("{s:?} is not a number"))),
        (Type::String, J::String(s)) => Ok(Value::String(s.clone())),
        (Type::String, J::Number(n)) => Ok(Value::String(n.to_string())),
        (Type::String, J::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::List(elem) | Type::Set(elem), J::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(format!("[{i}]"));
                out.push(from_json_at(elem, item, path)?);
                path.pop();
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(out)
            } else {
                Value::List(out)
            })
        }
        (Type::Tuple(elems), J::Array(items)) => {
            if elems.len() != items.len() {
                return Err(convert_error(
                    path,
                    format!("expected {} elements, found {}", elems.len(), items.len()),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (elem, item)) in elems.iter().zip(items).enumerate() {
                path.push(format!("[{i}]"));
                out.push(from_json_at(elem, item, path)?);
                path.pop();
            }
            Ok(Value::List(out))
        }
        (Type::Map(elem), J::Object(fields)) => {
            let mut out = BTreeMap::new();
            for (k, v) in fields {
                path.push(format!("[{k:?}]"));
                out.insert(k.clone(), from_json_at(elem, v, path)?);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (Type::Object(attrs), J::Object(fields)) => {
            if let Some(extra) = fields.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(convert_error(path, format!("unexpected attribute {extra:?}")));
            }
            let mut out = BTreeMap::new();
            for (name, attr_ty) in attrs {
                path.push(format!(".{name}"));
                let v = match fields.get(name) {
                    Some(v) => from_json_at(attr_ty, v, path)?,
                    None => Value::Null,
                };
                path.pop();
                out.insert(name.clone(), v);
            }
            Ok(Value::Object(out))
        }
        _ => Err(convert_error(
            path,
            format!("expected {}, found {}", ty.friendly_name(), json_kind(json)),
        )),
    }
}

/// A number written as a string (`"42"`, `"1.5"`, `"1e3"`).
pub(crate) fn parse_number(s: &str) -> Option<serde_json::Number> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = s.parse::<u64>() {
        return Some(u.into());
    }
    s.parse::<f64>().ok().and_then(serde_json::Number::from_f64)
}

fn json_kind(json: &serde_json::Value) -> &'static str {
    match json {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a bool",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value_and_sets_ignore_order() {
        assert_eq!(
            Value::Number(30.into()),
            Value::Number(serde_json::Number::from_f64(30.0).expect("finite"))
        );
        assert_ne!(Value::Number(30.into()), Value::Number(31.into()));
        assert_eq!(
            Value::Set(vec![Value::string("a"), Value::string("b")]),
            Value::Set(vec![Value::string("b"), Value::string("a")])
        );
        assert_ne!(
            Value::List(vec![Value::string("a"), Value::string("b")]),
            Value::List(vec![Value::string("b"), Value::string("a")])
        );
    }

    #[test]
    fn json_conversion_keeps_unknowns_and_fills_missing_attributes() {
        let ty = Type::object([
            ("name", Type::String),
            ("size", Type::Number),
            ("tags", Type::map(Type::String)),
        ]);
        let v = Value::from_json(&ty, &json!({"name": wellarch_blueprints::unknown(), "size": "3"})).expect("fits");
        assert_eq!(v.get("name"), Some(&Value::Unknown));
        assert_eq!(v.get("size"), Some(&Value::Number(3.into())));
        assert_eq!(v.get("tags"), Some(&Value::Null));
        assert_eq!(
            v.to_json(),
            json!({"name": wellarch_blueprints::unknown(), "size": 3, "tags": null})
        );
        let err = Value::from_json(&ty, &json!({"size": [1]})).expect_err("a list is no number");
        assert_eq!(err.path, ".size");
        let err = Value::from_json(&ty, &json!({"colour": "red"})).expect_err("no such attribute");
        assert!(err.message.contains("colour"), "{err}");
    }
}
