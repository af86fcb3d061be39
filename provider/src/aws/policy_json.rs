//! Canonical JSON for IAM policy documents, so that documents AWS treats as the same
//! compare equal: IAM returns them URL-encoded and re-formatted, and a blueprint may write
//! `"Action": "s3:GetObject"` where AWS answers `["s3:GetObject"]`.
//!
//! Canonical form: compact JSON, object keys sorted; `Statement` always an array; the
//! string-or-list values of `Action`, `NotAction`, `Resource`, `NotResource`, principals and
//! condition values sorted and deduplicated, a single value written as a plain string.

use serde_json::{Map, Value};

use crate::aws::DriverError;

/// Keys whose value is a string or a list of strings, order irrelevant.
const STRING_SETS: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];
/// Keys whose value maps a kind (`Service`, `AWS`) to a string or list of strings.
const PRINCIPALS: &[&str] = &["Principal", "NotPrincipal"];

/// `doc` in canonical form; an error when it is not JSON.
pub fn canonical(doc: &str) -> Result<String, DriverError> {
    let value: Value =
        serde_json::from_str(doc).map_err(|e| DriverError::new(format!("policy document is not valid JSON: {e}")))?;
    Ok(normalise(&value, None).to_string())
}

/// Whether two policy documents are the same once canonical (false if either is not JSON).
pub fn equivalent(a: &str, b: &str) -> bool {
    matches!((canonical(a), canonical(b)), (Ok(x), Ok(y)) if x == y)
}

/// A policy document as IAM returns it (`GetRole`, `GetRolePolicy`: RFC 3986
/// percent-encoded), decoded and made canonical. A document that is already plain JSON is
/// accepted as it is.
pub fn from_iam(doc: &str) -> Result<String, DriverError> {
    let trimmed = doc.trim_start();
    if trimmed.starts_with('{') {
        return canonical(trimmed);
    }
    let decoded = percent_encoding::percent_decode_str(doc)
        .decode_utf8()
        .map_err(|e| DriverError::new(format!("policy document from IAM is not UTF-8 once decoded: {e}")))?;
    canonical(&decoded)
}

/// Recursive normalisation; `parent` is the key this value sits under.
fn normalise(value: &Value, parent: Option<&str>) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                let Some(v) = map.get(key) else { continue };
                let k = key.as_str();
                let normalised = if STRING_SETS.contains(&k) {
                    string_set(v)
                } else if PRINCIPALS.contains(&k) || parent == Some("Condition") {
                    // Principal kinds, and each condition operator, map to value sets.
                    match v {
                        Value::Object(inner) => sorted_object(inner, string_set),
                        other => normalise(other, Some(k)),
                    }
                } else if k == "Statement" {
                    match v {
                        Value::Object(_) => Value::Array(vec![normalise(v, Some(k))]),
                        other => normalise(other, Some(k)),
                    }
                } else {
                    normalise(v, Some(k))
                };
                out.insert(key.clone(), normalised);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| normalise(v, parent)).collect()),
        other => other.clone(),
    }
}

fn sorted_object(map: &Map<String, Value>, f: fn(&Value) -> Value) -> Value {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    Value::Object(
        keys.into_iter()
            .filter_map(|k| map.get(k).map(|v| (k.clone(), f(v))))
            .collect(),
    )
}

/// A string-or-list value: scalars kept, lists sorted and deduplicated, one item unwrapped.
fn string_set(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut norm: Vec<Value> = items.iter().map(|v| normalise(v, None)).collect();
            norm.sort_by_key(|v| v.to_string());
            norm.dedup();
            if norm.len() == 1 {
                norm.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(norm)
            }
        }
        other => normalise(other, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_documents_have_one_canonical_form() {
        let a = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;
        let b = r#"{
          "Statement": [ { "Action": ["sts:AssumeRole"], "Effect": "Allow",
                           "Principal": { "Service": ["lambda.amazonaws.com"] } } ],
          "Version": "2012-10-17"
        }"#;
        assert_eq!(canonical(a).ok(), canonical(b).ok());
        assert!(equivalent(a, b));
        assert_eq!(
            canonical(a).ok().as_deref(),
            Some(
                r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}],"Version":"2012-10-17"}"#
            )
        );
    }

    #[test]
    fn list_order_and_conditions_do_not_matter() {
        let a = r#"{"Statement":[{"Effect":"Allow","Action":["sqs:SendMessage","sqs:GetQueueUrl"],"Resource":"*",
                   "Condition":{"StringEquals":{"aws:SourceAccount":["1","2"]}}}]}"#;
        let b = r#"{"Statement":[{"Effect":"Allow","Action":["sqs:GetQueueUrl","sqs:SendMessage","sqs:GetQueueUrl"],"Resource":["*"],
                   "Condition":{"StringEquals":{"aws:SourceAccount":["2","1"]}}}]}"#;
        assert!(equivalent(a, b));
        let c = r#"{"Statement":[{"Effect":"Deny","Action":"sqs:SendMessage","Resource":"*"}]}"#;
        assert!(!equivalent(a, c));
    }

    #[test]
    fn statement_order_is_kept() {
        let a = r#"{"Statement":[{"Sid":"a"},{"Sid":"b"}]}"#;
        let b = r#"{"Statement":[{"Sid":"b"},{"Sid":"a"}]}"#;
        assert!(!equivalent(a, b));
    }

    #[test]
    fn iam_documents_are_url_decoded() {
        let encoded = "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22s3%3AGet%2A%22%2C%20%22Resource%22%3A%20%22arn%3Aaws%3As3%3A%3A%3Aa%2Bb%2F%2A%22%7D%5D%7D";
        assert_eq!(
            from_iam(encoded).ok().as_deref(),
            Some(
                r#"{"Statement":[{"Action":"s3:Get*","Effect":"Allow","Resource":"arn:aws:s3:::a+b/*"}],"Version":"2012-10-17"}"#
            )
        );
        assert_eq!(from_iam(r#" {"a":1}"#).ok().as_deref(), Some(r#"{"a":1}"#));
        assert!(from_iam("%7Bnot json").is_err());
    }
}
