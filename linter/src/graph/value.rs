//! Values as the linter knows them: what Terraform would know at plan time,
//! with references kept so rules can follow them.

use std::collections::BTreeMap;

/// A reference to an attribute of a resource (or data source), by full address.
///
/// `resource` is an instance address when the index is known
/// (`module.net.aws_subnet.private[0]`) and a resource address otherwise
/// (`aws_subnet.private`), which stands for every instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    pub resource: String,
    pub attr: String,
}

/// An evaluated HCL or plan value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// Not known before apply. `refs` are the resource attributes it derives from,
    /// which is how `aws_sqs_queue.dlq.arn` or `"${aws_s3_bucket.b.arn}/*"` stays traceable.
    Unknown(Vec<Ref>),
    /// The result of `jsonencode` over a value that is not fully known: the structure is
    /// kept so that rules can still read `deadLetterTargetArn` or an IAM statement.
    Encoded(Box<Value>),
}

impl Value {
    pub fn unknown() -> Value {
        Value::Unknown(Vec::new())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// `Some(b)` when the value is a known boolean (or the strings "true"/"false").
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Numbers, and strings that hold numbers (Terraform converts freely).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Field of an object; `None` when this is not an object or the field is absent.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Field that is present and not null.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.get(key).filter(|v| !v.is_null())
    }

    /// Nested blocks of one kind: `route {}` blocks arrive as a list of objects,
    /// a single object (plan JSON of some providers) is treated as a one-element list.
    pub fn blocks(&self, key: &str) -> Vec<&Value> {
        match self.get(key) {
            Some(Value::List(items)) => items.iter().filter(|v| !v.is_null()).collect(),
            Some(v @ Value::Map(_)) => vec![v],
            Some(v @ Value::Unknown(_)) => vec![v],
            _ => Vec::new(),
        }
    }

    /// The decoded content of a JSON document attribute (`redrive_policy`, `policy`):
    /// a JSON string is parsed, an [`Value::Encoded`] structure is unwrapped.
    pub fn decode_json(&self) -> Option<Value> {
        match self {
            Value::String(s) => serde_json::from_str::<serde_json::Value>(s)
                .ok()
                .map(|j| Value::from_json(&j)),
            Value::Encoded(inner) => Some((**inner).clone()),
            Value::Map(_) => Some(self.clone()),
            _ => None,
        }
    }

    /// Every reference anywhere inside this value.
    pub fn refs(&self) -> Vec<&Ref> {
        let mut out = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs<'a>(&'a self, out: &mut Vec<&'a Ref>) {
        match self {
            Value::Unknown(refs) => out.extend(refs.iter()),
            Value::List(items) => items.iter().for_each(|v| v.collect_refs(out)),
            Value::Map(m) => m.values().for_each(|v| v.collect_refs(out)),
            Value::Encoded(inner) => inner.collect_refs(out),
            _ => {}
        }
    }

    /// True when the value has no unknown part.
    pub fn is_fully_known(&self) -> bool {
        match self {
            Value::Unknown(_) | Value::Encoded(_) => false,
            Value::List(items) => items.iter().all(Value::is_fully_known),
            Value::Map(m) => m.values().all(Value::is_fully_known),
            _ => true,
        }
    }

    /// String values of a list (or a single string) that are known.
    pub fn strings(&self) -> Vec<&str> {
        match self {
            Value::String(s) => vec![s.as_str()],
            Value::List(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(m) => {
                Value::Map(m.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    /// JSON for fully known values; unknown parts become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown(_) => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Number::from_f64(*n)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Value::Encoded(inner) => inner.to_json(),
        }
    }

    /// Terraform's string conversion, for interpolation and map keys.
    pub fn to_template_string(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            _ => None,
        }
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_json_reads_strings_and_encoded_structures() {
        let s = Value::String(r#"{"maxReceiveCount":5}"#.into());
        assert_eq!(
            s.decode_json().and_then(|v| v.get("maxReceiveCount").cloned()),
            Some(Value::Number(5.0))
        );
        let r = Ref {
            resource: "aws_sqs_queue.dlq".into(),
            attr: "arn".into(),
        };
        let enc = Value::Encoded(Box::new(Value::Map(
            [("deadLetterTargetArn".to_string(), Value::Unknown(vec![r.clone()]))].into(),
        )));
        assert_eq!(enc.refs(), vec![&r]);
        assert!(!enc.is_fully_known());
    }

    #[test]
    fn numbers_print_like_terraform() {
        assert_eq!(format_number(5.0), "5");
        assert_eq!(format_number(0.5), "0.5");
    }
}
