//! Attribute values of components: data, or Terraform expressions that refer to other components.

use std::fmt::Write;

use serde_json::Value;

/// A reference to an attribute of another component of the same expansion: `aws_sqs_queue.dlq.arn`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ref {
    /// Component address within the expansion, `<type>.<name>`.
    pub component: String,
    pub attribute: String,
}

impl Ref {
    pub fn new(component: &str, attribute: &str) -> Self {
        Ref {
            component: component.to_string(),
            attribute: attribute.to_string(),
        }
    }
}

/// A value as Terraform would write it.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    List(Vec<Expr>),
    /// An object or map attribute: `{ key = value }`.
    Object(Vec<(String, Expr)>),
    Ref(Ref),
    /// String interpolation: `"arn:${aws_sqs_queue.jobs.name}:x"`. Parts concatenate.
    Template(Vec<Expr>),
    /// `jsonencode(...)`, e.g. an IAM policy or a redrive policy.
    JsonEncode(Box<Expr>),
    /// A Terraform function applied to expressions, e.g. the CloudFront origin domain
    /// `trimprefix(aws_apigatewayv2_api.http.api_endpoint, "https://")`.
    Call {
        function: Function,
        args: Vec<Expr>,
    },
    /// A configuration value Terraform does not know yet at plan time.
    Unknown,
}

/// The Terraform functions an expansion may use. A closed set, so that resolving is total
/// and every consumer (provider, linter, eject) gives them the same meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// `trimprefix(string, prefix)`
    TrimPrefix,
    /// `trimsuffix(string, suffix)`
    TrimSuffix,
}

impl Function {
    /// The Terraform name.
    pub fn name(self) -> &'static str {
        match self {
            Function::TrimPrefix => "trimprefix",
            Function::TrimSuffix => "trimsuffix",
        }
    }

    /// The result over known arguments, with Terraform's conversion of numbers and bools to
    /// strings; a missing or null argument counts as the empty string.
    pub fn apply(self, args: &[Value]) -> Value {
        let text = |i: usize| match args.get(i) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let (s, affix) = (text(0), text(1));
        Value::String(match self {
            Function::TrimPrefix => s.strip_prefix(affix.as_str()).unwrap_or(&s).to_string(),
            Function::TrimSuffix => s.strip_suffix(affix.as_str()).unwrap_or(&s).to_string(),
        })
    }
}

/// Why [`Expr::resolve`] failed: a referenced component does not exist yet, or the value
/// is unknown (only at plan time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    Ref(Ref),
    Unknown,
}

impl Expr {
    pub fn str(s: impl Into<String>) -> Self {
        Expr::String(s.into())
    }

    pub fn int(n: i64) -> Self {
        Expr::Number(n.into())
    }

    pub fn reference(component: &str, attribute: &str) -> Self {
        Expr::Ref(Ref::new(component, attribute))
    }

    pub fn json(value: Expr) -> Self {
        Expr::JsonEncode(Box::new(value))
    }

    pub fn call(function: Function, args: Vec<Expr>) -> Self {
        Expr::Call { function, args }
    }

    /// Every reference inside this expression, in order of appearance.
    pub fn refs(&self) -> Vec<&Ref> {
        let mut out = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs<'a>(&'a self, out: &mut Vec<&'a Ref>) {
        match self {
            Expr::Ref(r) => out.push(r),
            Expr::List(items) | Expr::Template(items) | Expr::Call { args: items, .. } => {
                items.iter().for_each(|e| e.collect_refs(out))
            }
            Expr::Object(fields) => fields.iter().for_each(|(_, e)| e.collect_refs(out)),
            Expr::JsonEncode(inner) => inner.collect_refs(out),
            Expr::Null | Expr::Bool(_) | Expr::Number(_) | Expr::String(_) | Expr::Unknown => {}
        }
    }

    /// The JSON value of this expression once every reference can be looked up.
    pub fn resolve(&self, lookup: &dyn Fn(&Ref) -> Option<Value>) -> Result<Value, Unresolved> {
        Ok(match self {
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Number(n) => Value::Number(n.clone()),
            Expr::String(s) => Value::String(s.clone()),
            Expr::List(items) => Value::Array(items.iter().map(|e| e.resolve(lookup)).collect::<Result<_, _>>()?),
            Expr::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, e)| Ok((k.clone(), e.resolve(lookup)?)))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::Ref(r) => lookup(r).ok_or_else(|| Unresolved::Ref(r.clone()))?,
            Expr::Unknown => return Err(Unresolved::Unknown),
            Expr::Template(parts) => {
                let mut s = String::new();
                for part in parts {
                    match part.resolve(lookup)? {
                        Value::String(p) => s.push_str(&p),
                        Value::Null => {}
                        other => s.push_str(&other.to_string()),
                    }
                }
                Value::String(s)
            }
            Expr::JsonEncode(inner) => Value::String(inner.resolve(lookup)?.to_string()),
            Expr::Call { function, args } => {
                let args = args.iter().map(|e| e.resolve(lookup)).collect::<Result<Vec<_>, _>>()?;
                function.apply(&args)
            }
        })
    }

    /// Terraform native syntax for this expression.
    pub fn to_hcl(&self) -> String {
        let mut out = String::new();
        self.write_hcl(&mut out, 0);
        out
    }

    pub(crate) fn write_hcl(&self, out: &mut String, indent: usize) {
        match self {
            Expr::Null => out.push_str("null"),
            Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Expr::Number(n) => out.push_str(&n.to_string()),
            Expr::String(s) => write_quoted(out, s),
            Expr::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_hcl(out, indent);
                }
                out.push(']');
            }
            Expr::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Expr::Object(fields) => {
                out.push_str("{\n");
                for (k, v) in fields {
                    pad(out, indent + 1);
                    write_key(out, k);
                    out.push_str(" = ");
                    v.write_hcl(out, indent + 1);
                    out.push('\n');
                }
                pad(out, indent);
                out.push('}');
            }
            Expr::Ref(r) => {
                let _ = write!(out, "{}.{}", r.component, r.attribute);
            }
            Expr::Unknown => out.push_str("null # known after apply"),
            Expr::Template(parts) => {
                out.push('"');
                for part in parts {
                    match part {
                        Expr::String(s) => out.push_str(&escape(s)),
                        other => {
                            out.push_str("${");
                            other.write_hcl(out, indent);
                            out.push('}');
                        }
                    }
                }
                out.push('"');
            }
            Expr::JsonEncode(inner) => {
                out.push_str("jsonencode(");
                inner.write_hcl(out, indent);
                out.push(')');
            }
            Expr::Call { function, args } => {
                out.push_str(function.name());
                out.push('(');
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    arg.write_hcl(out, indent);
                }
                out.push(')');
            }
        }
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::String(s.to_string())
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::String(s)
    }
}

impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Bool(b)
    }
}

impl From<i64> for Expr {
    fn from(n: i64) -> Self {
        Expr::int(n)
    }
}

impl From<&Value> for Expr {
    fn from(v: &Value) -> Self {
        match v {
            Value::Null => Expr::Null,
            Value::Bool(b) => Expr::Bool(*b),
            Value::Number(n) => Expr::Number(n.clone()),
            Value::String(s) => Expr::String(s.clone()),
            Value::Array(items) => Expr::List(items.iter().map(Expr::from).collect()),
            Value::Object(m) => Expr::Object(m.iter().map(|(k, v)| (k.clone(), Expr::from(v))).collect()),
        }
    }
}

pub(crate) fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn write_key(out: &mut String, key: &str) {
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        out.push_str(key);
    } else {
        write_quoted(out, key);
    }
}

fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    out.push_str(&escape(s));
    out.push('"');
}

/// Escapes a string for a quoted HCL template, including `${` and `%{` sequences.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_and_render() {
        let e = Expr::Object(vec![
            (
                "deadLetterTargetArn".into(),
                Expr::reference("aws_sqs_queue.dlq", "arn"),
            ),
            ("maxReceiveCount".into(), Expr::int(5)),
        ]);
        let json = Expr::json(e);
        assert_eq!(json.refs(), vec![&Ref::new("aws_sqs_queue.dlq", "arn")]);
        let lookup = |r: &Ref| (r.attribute == "arn").then(|| Value::String("arn:aws:sqs:q".into()));
        assert_eq!(
            json.resolve(&lookup),
            Ok(Value::String(
                r#"{"deadLetterTargetArn":"arn:aws:sqs:q","maxReceiveCount":5}"#.into()
            ))
        );
        assert_eq!(
            json.to_hcl(),
            "jsonencode({\n  deadLetterTargetArn = aws_sqs_queue.dlq.arn\n  maxReceiveCount = 5\n})"
        );
        assert_eq!(
            json.resolve(&|_| None),
            Err(Unresolved::Ref(Ref::new("aws_sqs_queue.dlq", "arn")))
        );
    }

    #[test]
    fn calls_resolve_render_and_carry_references() {
        let e = Expr::call(
            Function::TrimPrefix,
            vec![
                Expr::reference("aws_apigatewayv2_api.http", "api_endpoint"),
                Expr::str("https://"),
            ],
        );
        assert_eq!(e.refs(), vec![&Ref::new("aws_apigatewayv2_api.http", "api_endpoint")]);
        assert_eq!(
            e.to_hcl(),
            r#"trimprefix(aws_apigatewayv2_api.http.api_endpoint, "https://")"#
        );
        let lookup = |_: &Ref| Some(Value::String("https://abc.execute-api.eu-west-1.amazonaws.com".into()));
        assert_eq!(
            e.resolve(&lookup),
            Ok(Value::String("abc.execute-api.eu-west-1.amazonaws.com".into()))
        );
        assert_eq!(
            Function::TrimSuffix.apply(&[Value::String("a.b.".into()), Value::String(".".into())]),
            Value::String("a.b".into())
        );
        assert_eq!(Function::TrimPrefix.apply(&[]), Value::String(String::new()));
    }

    #[test]
    fn templates_escape_interpolation_markers() {
        let t = Expr::Template(vec![Expr::str("a\"${b}"), Expr::reference("aws_s3_bucket.x", "arn")]);
        assert_eq!(t.to_hcl(), r#""a\"$${b}${aws_s3_bucket.x.arn}""#);
    }
}
