//! Terraform (cty) types: parsed from the JSON type notation of schemas and dynamic
//! values, converted from `wellarch_blueprints::Type`, and inferred from values for
//! dynamically typed slots.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Value as Json, json};

use super::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    /// Any type; a value in such a slot travels with its own type.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A JSON type notation this module cannot read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError(pub String);

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid type: {}", self.0)
    }
}

impl std::error::Error for TypeError {}

impl Type {
    pub fn list(of: Type) -> Type {
        Type::List(Box::new(of))
    }

    pub fn set(of: Type) -> Type {
        Type::Set(Box::new(of))
    }

    pub fn map(of: Type) -> Type {
        Type::Map(Box::new(of))
    }

    pub fn object<'a>(attrs: impl IntoIterator<Item = (&'a str, Type)>) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.to_string(), t)).collect())
    }

    /// Reads Terraform's JSON type notation: `"string"`, `["list","string"]`,
    /// `["object",{"a":"number"}]` (an optional-attributes list after the object is
    /// accepted and ignored), `["tuple",["string","bool"]]`, `"dynamic"`.
    pub fn from_json(json: &Json) -> Result<Type, TypeError> {
        match json {
            Json::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(TypeError(format!("unknown primitive type {other:?}"))),
            },
            Json::Array(parts) => {
                let kind = parts
                    .first()
                    .and_then(Json::as_str)
                    .ok_or_else(|| TypeError(format!("{json} does not start with a type name")))?;
                let arg = parts
                    .get(1)
                    .ok_or_else(|| TypeError(format!("{json} lacks its element type")))?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "object" => {
                        let fields = arg
                            .as_object()
                            .ok_or_else(|| TypeError(format!("{json}: object attributes must be an object")))?;
                        let mut attrs = BTreeMap::new();
                        for (name, t) in fields {
                            attrs.insert(name.clone(), Type::from_json(t)?);
                        }
                        Ok(Type::Object(attrs))
                    }
                    "tuple" => {
                        let elems = arg
                            .as_array()
                            .ok_or_else(|| TypeError(format!("{json}: tuple elements must be a list")))?;
                        Ok(Type::Tuple(
                            elems.iter().map(Type::from_json).collect::<Result<_, _>>()?,
                        ))
                    }
                    other => Err(TypeError(format!("unknown type constructor {other:?}"))),
                }
            }
            other => Err(TypeError(other.to_string())),
        }
    }

    /// Terraform's JSON type notation of this type.
    pub fn to_json(&self) -> Json {
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let fields: serde_json::Map<String, Json> =
                    attrs.iter().map(|(k, t)| (k.clone(), t.to_json())).collect();
                json!(["object", fields])
            }
            Type::Tuple(elems) => json!(["tuple", elems.iter().map(Type::to_json).collect::<Vec<_>>()]),
        }
    }

    /// The cty type of a blueprint schema type.
    pub fn from_blueprint(ty: &wellarch_blueprints::Type) -> Type {
        use wellarch_blueprints::Type as B;
        match ty {
            B::String => Type::String,
            B::Number => Type::Number,
            B::Bool => Type::Bool,
            B::List(t) => Type::list(Type::from_blueprint(t)),
            B::Set(t) => Type::set(Type::from_blueprint(t)),
            B::Map(t) => Type::map(Type::from_blueprint(t)),
            B::Object(fields) => Type::Object(
                fields
                    .iter()
                    .map(|(n, t)| (n.clone(), Type::from_blueprint(t)))
                    .collect(),
            ),
            B::Dynamic => Type::Dynamic,
        }
    }

    /// How error messages name the type.
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Bool => "bool".into(),
            Type::Number => "number".into(),
            Type::String => "string".into(),
            Type::Dynamic => "any value".into(),
            Type::List(t) => format!("list of {}", t.friendly_name()),
            Type::Set(t) => format!("set of {}", t.friendly_name()),
            Type::Map(t) => format!("map of {}", t.friendly_name()),
            Type::Object(_) => "object".into(),
            Type::Tuple(_) => "tuple".into(),
        }
    }

    /// A type `value` can be encoded with, for dynamically typed slots. Collections whose
    /// elements agree get a collection type; lists and maps whose elements disagree become
    /// tuples and objects. Nulls and unknowns agree with anything.
    pub fn infer(value: &Value) -> Type {
        match value {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => {
                let types: Vec<Type> = items.iter().map(Type::infer).collect();
                match unify_all(&types) {
                    Some(t) => Type::list(t),
                    None => Type::Tuple(types),
                }
            }
            Value::Set(items) => {
                let types: Vec<Type> = items.iter().map(Type::infer).collect();
                Type::set(unify_all(&types).unwrap_or(Type::Dynamic))
            }
            Value::Map(m) => {
                let types: Vec<Type> = m.values().map(Type::infer).collect();
                match unify_all(&types) {
                    Some(t) => Type::map(t),
                    None => Type::Object(m.iter().map(|(k, v)| (k.clone(), Type::infer(v))).collect()),
                }
            }
            Value::Object(m) => Type::Object(m.iter().map(|(k, v)| (k.clone(), Type::infer(v))).collect()),
        }
    }

    /// The type a JSON document is read as where any type is allowed: arrays as lists (or
    /// tuples), objects as objects.
    pub fn infer_json(json: &Json) -> Type {
        match json {
            Json::Null => Type::Dynamic,
            Json::Bool(_) => Type::Bool,
            Json::Number(_) => Type::Number,
            Json::String(_) => Type::String,
            Json::Array(items) => {
                let types: Vec<Type> = items.iter().map(Type::infer_json).collect();
                match unify_all(&types) {
                    Some(t) => Type::list(t),
                    None => Type::Tuple(types),
                }
            }
            Json::Object(_) if wellarch_blueprints::is_unknown(json) => Type::Dynamic,
            Json::Object(m) => Type::Object(m.iter().map(|(k, v)| (k.clone(), Type::infer_json(v))).collect()),
        }
    }
}

/// The most specific type both `a` and `b` fit, if any (`Dynamic` fits everything).
pub fn unify(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => Some(t.clone()),
        (Type::List(x), Type::List(y)) => unify(x, y).map(Type::list),
        (Type::Set(x), Type::Set(y)) => unify(x, y).map(Type::set),
        (Type::Map(x), Type::Map(y)) => unify(x, y).map(Type::map),
        (Type::Object(x), Type::Object(y)) => {
            if x.len() != y.len() || !x.keys().all(|k| y.contains_key(k)) {
                return None;
            }
            let mut out = BTreeMap::new();
            for (k, t) in x {
                out.insert(k.clone(), unify(t, &y[k])?);
            }
            Some(Type::Object(out))
        }
        (Type::Tuple(x), Type::Tuple(y)) if x.len() == y.len() => Some(Type::Tuple(
            x.iter().zip(y).map(|(a, b)| unify(a, b)).collect::<Option<_>>()?,
        )),
        (x, y) if x == y => Some(x.clone()),
        _ => None,
    }
}

fn unify_all(types: &[Type]) -> Option<Type> {
    types.iter().try_fold(Type::Dynamic, |acc, t| unify(&acc, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_notation_round_trips() {
        for text in [
            r#""string""#,
            r#"["list","number"]"#,
            r#"["set",["map","bool"]]"#,
            r#"["object",{"a":"string","b":["list","dynamic"]}]"#,
            r#"["tuple",["string","number"]]"#,
        ] {
            let json: Json = serde_json::from_str(text).expect("json");
            let ty = Type::from_json(&json).expect("type");
            assert_eq!(ty.to_json(), json, "{text}");
        }
        let with_optional: Json = serde_json::from_str(r#"["object",{"a":"string"},["a"]]"#).expect("json");
        assert_eq!(Type::from_json(&with_optional), Ok(Type::object([("a", Type::String)])));
        assert!(Type::from_json(&json!(["list"])).is_err());
        assert!(Type::from_json(&json!("float")).is_err());
    }

    #[test]
    fn blueprint_types_convert() {
        use wellarch_blueprints::Type as B;
        let b = B::Object(vec![
            ("tags".into(), B::map(B::String)),
            ("n".into(), B::list(B::Number)),
        ]);
        let t = Type::from_blueprint(&b);
        assert_eq!(t.to_json(), b.to_json());
    }

    #[test]
    fn inference_unifies_nulls_and_falls_back_to_structural_types() {
        let v = Value::List(vec![Value::Null, Value::string("a")]);
        assert_eq!(Type::infer(&v), Type::list(Type::String));
        let v = Value::List(vec![Value::Bool(true), Value::string("a")]);
        assert_eq!(Type::infer(&v), Type::Tuple(vec![Type::Bool, Type::String]));
        let v = Value::Map(
            [
                ("x".to_string(), Value::Number(1.into())),
                ("y".to_string(), Value::string("s")),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            Type::infer(&v),
            Type::object([("x", Type::Number), ("y", Type::String)])
        );
    }
}
