//! Terraform's JSON encoding of values: the `json` field of a `DynamicValue`, and the
//! raw state JSON that `UpgradeResourceState` receives.
//!
//! Objects and maps are JSON objects, lists, sets and tuples arrays; a dynamically typed
//! slot holds `{"value": …, "type": …}`. JSON cannot express unknowns.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{ConvertError, Type, Value, parse_number, path_string};

/// How to treat object attributes the type does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    /// An error: Terraform sent something this schema never described.
    Reject,
    /// Dropped: stored state may still carry an attribute a newer schema removed.
    Drop,
}

/// Decodes JSON bytes as a value of type `ty`.
pub fn decode(ty: &Type, bytes: &[u8], extra: Extra) -> Result<Value, ConvertError> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| ConvertError {
        path: String::new(),
        message: format!("invalid JSON: {e}"),
    })?;
    decode_value(ty, &json, extra, &mut Vec::new())
}

/// Terraform's JSON encoding of `value` as type `ty`; `None` when the value holds an
/// unknown (which JSON cannot express) or does not fit the type.
pub fn encode(ty: &Type, value: &Value) -> Option<Json> {
    Some(match (ty, value) {
        (_, Value::Unknown) => return None,
        (_, Value::Null) => Json::Null,
        (Type::Dynamic, v) => {
            let actual = Type::infer(v);
            serde_json::json!({ "value": encode(&actual, v)?, "type": actual.to_json() })
        }
        (Type::Bool, Value::Bool(b)) => Json::Bool(*b),
        (Type::Number, Value::Number(n)) => Json::Number(n.clone()),
        (Type::String, Value::String(s)) => Json::String(s.clone()),
        (Type::List(elem), Value::List(items)) | (Type::Set(elem), Value::Set(items)) => {
            Json::Array(items.iter().map(|v| encode(elem, v)).collect::<Option<_>>()?)
        }
        (Type::Tuple(elems), Value::List(items)) if elems.len() == items.len() => Json::Array(
            elems
                .iter()
                .zip(items)
                .map(|(t, v)| encode(t, v))
                .collect::<Option<_>>()?,
        ),
        (Type::Map(elem), Value::Map(m)) => Json::Object(
            m.iter()
                .map(|(k, v)| Some((k.clone(), encode(elem, v)?)))
                .collect::<Option<_>>()?,
        ),
        (Type::Object(attrs), Value::Object(m)) => Json::Object(
            attrs
                .iter()
                .map(|(k, t)| Some((k.clone(), encode(t, m.get(k).unwrap_or(&Value::Null))?)))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

fn error(path: &[String], message: impl Into<String>) -> ConvertError {
    ConvertError {
        path: path_string(path),
        message: message.into(),
    }
}

fn decode_value(ty: &Type, json: &Json, extra: Extra, path: &mut Vec<String>) -> Result<Value, ConvertError> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    match (ty, json) {
        (Type::Dynamic, Json::Object(fields)) => {
            let (Some(type_json), Some(value)) = (fields.get("type"), fields.get("value")) else {
                return Err(error(path, "a dynamic value needs \"type\" and \"value\""));
            };
            let actual = Type::from_json(type_json).map_err(|e| error(path, e.to_string()))?;
            decode_value(&actual, value, extra, path)
        }
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Number, Json::Number(n)) => Ok(Value::Number(n.clone())),
        (Type::Number, Json::String(s)) => parse_number(s)
            .map(Value::Number)
            .ok_or_else(|| error(path, format!("{s:?} is not a number"))),
        (Type::String, Json::String(s)) => Ok(Value::String(s.clone())),
        (Type::List(elem) | Type::Set(elem), Json::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(format!("[{i}]"));
                out.push(decode_value(elem, item, extra, path)?);
                path.pop();
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(out)
            } else {
                Value::List(out)
            })
        }
        (Type::Tuple(elems), Json::Array(items)) if elems.len() == items.len() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, (elem, item)) in elems.iter().zip(items).enumerate() {
                path.push(format!("[{i}]"));
                out.push(decode_value(elem, item, extra, path)?);
                path.pop();
            }
            Ok(Value::List(out))
        }
        (Type::Map(elem), Json::Object(fields)) => {
            let mut out = BTreeMap::new();
            for (k, v) in fields {
                path.push(format!("[{k:?}]"));
                out.insert(k.clone(), decode_value(elem, v, extra, path)?);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (Type::Object(attrs), Json::Object(fields)) => {
            if extra == Extra::Reject
                && let Some(k) = fields.keys().find(|k| !attrs.contains_key(*k))
            {
                return Err(error(path, format!("unexpected attribute {k:?}")));
            }
            let mut out = BTreeMap::new();
            for (name, attr_ty) in attrs {
                path.push(format!(".{name}"));
                let v = match fields.get(name) {
                    Some(v) => decode_value(attr_ty, v, extra, path)?,
                    None => Value::Null,
                };
                path.pop();
                out.insert(name.clone(), v);
            }
            Ok(Value::Object(out))
        }
        _ => Err(error(path, format!("expected {}, found {json}", ty.friendly_name()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_state_decodes_with_removed_attributes_dropped() {
        let ty = Type::object([
            ("name", Type::String),
            ("size", Type::Number),
            ("tags", Type::map(Type::String)),
            ("ids", Type::set(Type::String)),
        ]);
        let raw = br#"{"name":"orders","size":"3","tags":{"a":"b"},"ids":["x"],"gone":true}"#;
        let v = decode(&ty, raw, Extra::Drop).expect("decodes");
        assert_eq!(v.get("size"), Some(&Value::Number(3.into())));
        assert_eq!(v.get("ids"), Some(&Value::Set(vec![Value::string("x")])));
        assert!(decode(&ty, raw, Extra::Reject).is_err());
        let v = decode(&ty, br#"{"name":"orders"}"#, Extra::Reject).expect("missing is null");
        assert_eq!(v.get("tags"), Some(&Value::Null));
    }

    #[test]
    fn dynamic_slots_carry_type_and_value() {
        let v = decode(
            &Type::Dynamic,
            br#"{"type":["list","string"],"value":["a"]}"#,
            Extra::Reject,
        )
        .expect("decodes");
        assert_eq!(v, Value::List(vec![Value::string("a")]));
        assert!(decode(&Type::Dynamic, br#"{"value":1}"#, Extra::Reject).is_err());
        assert!(decode(&Type::String, b"{", Extra::Reject).is_err());
    }
}
