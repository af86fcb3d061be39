//! Terraform's JSON configuration syntax (`*.tf.json`, `*.tfvars.json`) into the same
//! [`ModuleConfig`] that [`super::hcl`] builds from native syntax.
//!
//! Strings in expression positions are string templates (`"${aws_sqs_queue.dlq.arn}"`);
//! a string that is one whole interpolation becomes the inner expression itself, so a
//! reference is a plain traversal exactly as in native syntax. Variable defaults, module
//! `source` and `.tfvars.json` values are literal.
//!
//! Without provider schemas a nested block cannot always be told from an object-valued
//! attribute. Inside `resource`/`data` bodies (and nested blocks) we use this rule: a key
//! whose value is an object, or a non-empty array of objects, is a nested block, unless
//! - the key is a known map-valued attribute ([`MAP_ATTRS`]: `tags`, `variables`, …), or
//! - some key of such an object is not an identifier or holds `${` (a map with keys like
//!   `kubernetes.io/role` or `"${var.k}"` is data, not a block body).
//!
//! `"//"` properties of block bodies are comments; a comment carrying
//! `wellarch:ignore CODE -- reason` is a suppression, as `# wellarch:ignore` is in HCL.
//!
//! serde_json keeps no positions and merges duplicate keys, so a small span-keeping JSON
//! reader builds the tree once serde_json has validated the document (and reported any
//! syntax error with its line and column).

use std::ops::Range;

use hcl_edit::Ident;
use hcl_edit::expr::{Array, Expression, Object, ObjectKey, ObjectValue};
use hcl_edit::template::StringTemplate;

use super::config::{Attr, BlockBody, LoadError, ModuleCall, ModuleConfig, NestedBlock, ResourceDecl, VariableDecl};
use super::source::SourceFile;
use crate::graph::Location;
use crate::suppress::{self, Suppression};

/// Object-valued attributes that are never nested blocks (checked in resource bodies and
/// their nested blocks).
pub const MAP_ATTRS: &[&str] = &[
    "tags",
    "tags_all",
    "variables",
    "parameters",
    "dimensions",
    "triggers",
    "labels",
    "annotations",
    "request_parameters",
    "request_models",
    "request_templates",
    "response_models",
    "response_parameters",
    "response_templates",
    "stage_variables",
    "advanced_options",
    "attribute_mapping",
    "provider_details",
    "default_arguments",
    "non_overridable_arguments",
    "connection_properties",
    "environment_variables",
    "properties",
];

/// Parses one `.tf.json` file into the declarations it contributes to its module.
pub fn parse_module_json(src: &SourceFile) -> Result<ModuleConfig, LoadError> {
    let root = parse(src)?;
    let mut p = Builder {
        src,
        cfg: ModuleConfig {
            files: vec![src.path.clone()],
            ..ModuleConfig::default()
        },
    };
    for m in members(&root) {
        match m.key.as_str() {
            "//" => p.comment(m),
            "resource" => p.resources(&m.value, false)?,
            "data" => p.resources(&m.value, true)?,
            "variable" => p.variables(&m.value)?,
            "locals" => p.locals(&m.value)?,
            "output" => p.outputs(&m.value)?,
            "module" => p.modules(&m.value)?,
            _ => {}
        }
    }
    Ok(p.cfg)
}

/// Parses a `.tfvars.json` file: one literal value per variable.
pub fn parse_tfvars_json(src: &SourceFile) -> Result<Vec<Attr>, LoadError> {
    let root = parse(src)?;
    Ok(members(&root)
        .filter(|m| m.key != "//")
        .map(|m| Attr {
            name: m.key.clone(),
            expr: literal(&m.value),
            location: location(src, m),
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Declarations

struct Builder<'s> {
    src: &'s SourceFile,
    cfg: ModuleConfig,
}

impl Builder<'_> {
    fn error(&self, at: usize, message: String) -> LoadError {
        let (line, column) = self.src.line_col(at);
        LoadError {
            file: self.src.path.to_string(),
            line,
            column,
            message,
        }
    }

    /// `expr` with template errors reported at `at`.
    fn expr(&self, node: &Node, at: usize) -> Result<Expression, LoadError> {
        expression(node).map_err(|e| self.error(at, format!("invalid template: {e}")))
    }

    fn attr(&self, m: &Member) -> Result<Attr, LoadError> {
        Ok(Attr {
            name: m.key.clone(),
            expr: self.expr(&m.value, m.value.span.start)?,
            location: location(self.src, m),
        })
    }

    /// `"//": "wellarch:ignore SEC001 -- reason"` is a suppression comment.
    fn comment(&mut self, m: &Member) {
        let Json::String(text) = &m.value.json else { return };
        let probe = SourceFile::new(self.src.path.clone(), format!("# {}", text.replace('\n', " ")));
        for s in suppress::scan(&probe) {
            self.cfg.suppressions.push(Suppression {
                location: location(self.src, m),
                ..s
            });
        }
    }

    /// `resource` → type → name → body (each level an object or an array of objects).
    fn resources(&mut self, node: &Node, data: bool) -> Result<(), LoadError> {
        for by_type in objects(node) {
            for t in by_type.iter().filter(|m| m.key != "//") {
                for by_name in objects(&t.value) {
                    for n in by_name.iter().filter(|m| m.key != "//") {
                        for body in objects(&n.value) {
                            let decl = self.resource(data, &t.key, n, body)?;
                            self.cfg.resources.push(decl);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn resource(&mut self, data: bool, rtype: &str, name: &Member, body: &[Member]) -> Result<ResourceDecl, LoadError> {
        let mut count = None;
        let mut for_each = None;
        let mut rest = Vec::new();
        for m in body {
            match m.key.as_str() {
                "count" => count = Some(self.expr(&m.value, m.value.span.start)?),
                "for_each" => for_each = Some(self.expr(&m.value, m.value.span.start)?),
                "depends_on" | "provider" | "lifecycle" | "provisioner" | "connection" => {}
                _ => rest.push(m),
            }
        }
        let body = self.block_body(rest.into_iter())?;
        let end = name.value.span.end.saturating_sub(1);
        Ok(ResourceDecl {
            data,
            rtype: rtype.to_string(),
            name: name.key.clone(),
            body,
            count,
            for_each,
            location: location(self.src, name),
            lines: (self.src.line_col(name.key_span.start).0, self.src.line_col(end).0),
        })
    }

    /// Attributes and nested blocks of a resource body or nested block (see the module docs
    /// for how blocks are told from attributes).
    fn block_body<'m>(&mut self, body: impl Iterator<Item = &'m Member>) -> Result<BlockBody, LoadError> {
        let mut out = BlockBody::default();
        for m in body {
            if m.key == "//" {
                self.comment(m);
            } else if m.key == "dynamic" && matches!(m.value.json, Json::Object(_) | Json::Array(_)) {
                for by_label in objects(&m.value) {
                    for label in by_label.iter().filter(|l| l.key != "//") {
                        for body in objects(&label.value) {
                            out.blocks.push(NestedBlock {
                                ident: "dynamic".into(),
                                labels: vec![label.key.clone()],
                                body: self.dynamic_body(body)?,
                                location: location(self.src, label),
                            });
                        }
                    }
                }
            } else if is_block(&m.key, &m.value) {
                let single = matches!(m.value.json, Json::Object(_));
                for item in block_items(&m.value) {
                    let Json::Object(members) = &item.json else { continue };
                    let location = if single {
                        location(self.src, m)
                    } else {
                        self.src.location(Some(item.span.clone()))
                    };
                    out.blocks.push(NestedBlock {
                        ident: m.key.clone(),
                        labels: Vec::new(),
                        body: self.block_body(members.iter())?,
                        location,
                    });
                }
            } else {
                out.attrs.push(self.attr(m)?);
            }
        }
        Ok(out)
    }

    /// `dynamic "x" { for_each, iterator, content {} }`: `iterator` names a variable.
    fn dynamic_body(&mut self, body: &[Member]) -> Result<BlockBody, LoadError> {
        let mut out = BlockBody::default();
        for m in body {
            match (m.key.as_str(), &m.value.json) {
                ("//", _) => self.comment(m),
                ("content", Json::Object(_) | Json::Array(_)) => {
                    for content in objects(&m.value) {
                        out.blocks.push(NestedBlock {
                            ident: "content".into(),
                            labels: Vec::new(),
                            body: self.block_body(content.iter())?,
                            location: location(self.src, m),
                        });
                    }
                }
                ("iterator", Json::String(name)) => match Ident::try_new(name.as_str()) {
                    Ok(ident) => out.attrs.push(Attr {
                        name: m.key.clone(),
                        expr: Expression::from(ident),
                        location: location(self.src, m),
                    }),
                    Err(_) => return Err(self.error(m.value.span.start, format!("invalid iterator name {name:?}"))),
                },
                _ => out.attrs.push(self.attr(m)?),
            }
        }
        Ok(out)
    }

    fn variables(&mut self, node: &Node) -> Result<(), LoadError> {
        for by_name in objects(node) {
            for n in by_name.iter().filter(|m| m.key != "//") {
                let mut default = None;
                for body in objects(&n.value) {
                    if let Some(d) = body.iter().find(|m| m.key == "default") {
                        default = Some(literal(&d.value));
                    }
                }
                self.cfg.variables.push(VariableDecl {
                    name: n.key.clone(),
                    default,
                    location: location(self.src, n),
                });
            }
        }
        Ok(())
    }

    fn locals(&mut self, node: &Node) -> Result<(), LoadError> {
        for body in objects(node) {
            for m in body {
                if m.key == "//" {
                    self.comment(m);
                } else {
                    let a = self.attr(m)?;
                    self.cfg.locals.push(a);
                }
            }
        }
        Ok(())
    }

    fn outputs(&mut self, node: &Node) -> Result<(), LoadError> {
        for by_name in objects(node) {
            for n in by_name.iter().filter(|m| m.key != "//") {
                for body in objects(&n.value) {
                    if let Some(v) = body.iter().find(|m| m.key == "value") {
                        let expr = self.expr(&v.value, v.value.span.start)?;
                        self.cfg.outputs.push(Attr {
                            name: n.key.clone(),
                            expr,
                            location: location(self.src, v),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn modules(&mut self, node: &Node) -> Result<(), LoadError> {
        for by_name in objects(node) {
            for n in by_name.iter().filter(|m| m.key != "//") {
                for body in objects(&n.value) {
                    let mut call = ModuleCall {
                        name: n.key.clone(),
                        source: None,
                        inputs: Vec::new(),
                        count: None,
                        for_each: None,
                        location: location(self.src, n),
                    };
                    for m in body {
                        match m.key.as_str() {
                            "//" => self.comment(m),
                            "source" => {
                                if let Json::String(s) = &m.value.json {
                                    call.source = Some(s.clone());
                                }
                            }
                            "count" => call.count = Some(self.expr(&m.value, m.value.span.start)?),
                            "for_each" => call.for_each = Some(self.expr(&m.value, m.value.span.start)?),
                            "version" | "providers" | "depends_on" => {}
                            _ => call.inputs.push(self.attr(m)?),
                        }
                    }
                    self.cfg.module_calls.push(call);
                }
            }
        }
        Ok(())
    }
}

fn location(src: &SourceFile, m: &Member) -> Location {
    src.location(Some(m.key_span.start..m.value.span.end))
}

/// The members of an object node (none for other nodes).
fn members(node: &Node) -> std::slice::Iter<'_, Member> {
    match &node.json {
        Json::Object(m) => m.iter(),
        _ => [].iter(),
    }
}

/// An object, or each object of an array: Terraform's JSON syntax allows either wherever
/// a block (or a level of block labels) may repeat.
fn objects(node: &Node) -> Vec<&[Member]> {
    match &node.json {
        Json::Object(m) => vec![m.as_slice()],
        Json::Array(items) => items
            .iter()
            .filter_map(|i| match &i.json {
                Json::Object(m) => Some(m.as_slice()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn block_items(node: &Node) -> Vec<&Node> {
    match &node.json {
        Json::Array(items) => items.iter().collect(),
        _ => vec![node],
    }
}

/// The nested-block heuristic described in the module documentation.
fn is_block(key: &str, value: &Node) -> bool {
    let body_like = |n: &Node| match &n.json {
        Json::Object(m) => m
            .iter()
            .all(|m| m.key == "//" || (Ident::try_new(m.key.as_str()).is_ok() && !m.key.contains("${"))),
        _ => false,
    };
    if MAP_ATTRS.contains(&key) {
        return false;
    }
    match &value.json {
        Json::Object(_) => body_like(value),
        Json::Array(items) => !items.is_empty() && items.iter().all(body_like),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Expressions

/// A JSON value in an expression position: strings are templates.
fn expression(node: &Node) -> Result<Expression, String> {
    Ok(match &node.json {
        Json::String(s) => template(s)?,
        Json::Array(items) => Expression::Array(items.iter().map(expression).collect::<Result<Array, _>>()?),
        Json::Object(members) => {
            let mut obj = Object::new();
            for m in members {
                let key = if m.key.contains("${") || m.key.contains("%{") {
                    ObjectKey::Expression(template(&m.key)?)
                } else {
                    literal_key(&m.key)
                };
                obj.insert(key, ObjectValue::new(expression(&m.value)?));
            }
            Expression::Object(obj)
        }
        _ => literal(node),
    })
}

/// A JSON value taken literally (variable defaults, tfvars).
fn literal(node: &Node) -> Expression {
    match &node.json {
        Json::Null => Expression::null(),
        Json::Bool(b) => Expression::from(*b),
        Json::Number(raw) => number(raw),
        Json::String(s) => Expression::from(s.as_str()),
        Json::Array(items) => Expression::Array(items.iter().map(literal).collect()),
        Json::Object(members) => {
            let mut obj = Object::new();
            for m in members {
                obj.insert(literal_key(&m.key), ObjectValue::new(literal(&m.value)));
            }
            Expression::Object(obj)
        }
    }
}

fn literal_key(key: &str) -> ObjectKey {
    match Ident::try_new(key) {
        Ok(ident) => ObjectKey::from(ident),
        Err(_) => ObjectKey::Expression(Expression::from(key)),
    }
}

fn number(raw: &str) -> Expression {
    if let Ok(i) = raw.parse::<i64>() {
        Expression::from(i)
    } else if let Ok(u) = raw.parse::<u64>() {
        Expression::from(u)
    } else {
        raw.parse::<f64>().map_or_else(|_| Expression::null(), Expression::from)
    }
}

/// A string template; one whole interpolation is its inner expression, a template without
/// interpolations a plain string.
fn template(s: &str) -> Result<Expression, String> {
    if !s.contains("${") && !s.contains("%{") {
        return Ok(Expression::from(s));
    }
    let t = hcl_edit::parser::parse_template(s).map_err(|e| e.message().to_string())?;
    if t.len() == 1
        && let Some(interp) = t.get(0).and_then(|e| e.as_interpolation())
    {
        return Ok(interp.expr.clone());
    }
    if t.iter().all(|e| e.is_literal()) {
        return Ok(Expression::from(
            t.iter()
                .filter_map(|e| e.as_literal())
                .map(|l| l.as_str())
                .collect::<String>(),
        ));
    }
    Ok(Expression::StringTemplate(StringTemplate::from(t)))
}

// ---------------------------------------------------------------------------------------
// A JSON reader that keeps spans and duplicate keys

#[derive(Debug)]
struct Node {
    json: Json,
    span: Range<usize>,
}

#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    /// As written, so integers stay exact.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in document order; duplicates kept.
    Object(Vec<Member>),
}

#[derive(Debug)]
struct Member {
    key: String,
    key_span: Range<usize>,
    value: Node,
}

/// Validates with serde_json (syntax errors with line and column), then reads the tree.
fn parse(src: &SourceFile) -> Result<Node, LoadError> {
    let start = if src.text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let text = &src.text[start..];
    let error = |line: u32, column: u32, message: String| LoadError {
        file: src.path.to_string(),
        line,
        column,
        message,
    };
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(error(
            // serde_json reports column 0 at the end of input; positions are 1-based.
            (e.line() as u32).max(1),
            (e.column() as u32).max(1),
            format!("JSON parse error: {e}"),
        ));
    }
    let mut reader = Reader {
        text: &src.text,
        i: start,
    };
    let root = reader.value().ok_or_else(|| {
        let (line, column) = src.line_col(reader.i);
        error(line, column, "JSON parse error".into())
    })?;
    if !matches!(root.json, Json::Object(_)) {
        return Err(error(1, 1, "a Terraform JSON file must hold one object".into()));
    }
    Ok(root)
}

/// Recursive descent over text serde_json accepted (so nesting is at most 128 deep).
struct Reader<'t> {
    text: &'t str,
    i: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(b)).then(|| self.i += 1)
    }

    fn value(&mut self) -> Option<Node> {
        self.ws();
        let start = self.i;
        let json = match self.peek()? {
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.eat(b'}').is_none() {
                    loop {
                        self.ws();
                        let key_start = self.i;
                        let key = self.string()?;
                        let key_span = key_start..self.i;
                        self.eat(b':')?;
                        let value = self.value()?;
                        members.push(Member { key, key_span, value });
                        if self.eat(b',').is_none() {
                            self.eat(b'}')?;
                            break;
                        }
                    }
                }
                Json::Object(members)
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_none() {
                    loop {
                        items.push(self.value()?);
                        if self.eat(b',').is_none() {
                            self.eat(b']')?;
                            break;
                        }
                    }
                }
                Json::Array(items)
            }
            b'"' => Json::String(self.string()?),
            b't' => self.word("true", Json::Bool(true))?,
            b'f' => self.word("false", Json::Bool(false))?,
            b'n' => self.word("null", Json::Null)?,
            _ => {
                while matches!(self.peek(), Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
                    self.i += 1;
                }
                if self.i == start {
                    return None;
                }
                Json::Number(self.text.get(start..self.i)?.to_string())
            }
        };
        Some(Node {
            json,
            span: start..self.i,
        })
    }

    fn word(&mut self, word: &str, json: Json) -> Option<Json> {
        self.text.get(self.i..)?.starts_with(word).then(|| {
            self.i += word.len();
            json
        })
    }

    /// A string token, unescaped by serde_json.
    fn string(&mut self) -> Option<String> {
        let bytes = self.text.as_bytes();
        let start = self.i;
        if bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut j = start + 1;
        while *bytes.get(j)? != b'"' {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        self.i = j + 1;
        serde_json::from_str(self.text.get(start..self.i)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl_edit::expr::TraversalOperator;

    fn module(text: &str) -> ModuleConfig {
        parse_module_json(&SourceFile::new("main.tf.json", text.to_string())).expect("parses")
    }

    /// `a.b.c` of a traversal expression.
    fn traversal(e: &Expression) -> Option<String> {
        let Expression::Traversal(t) = e else { return None };
        let mut out = t.expr.as_variable()?.as_str().to_string();
        for op in t.operators.iter() {
            match op.value() {
                TraversalOperator::GetAttr(a) => out.push_str(&format!(".{}", a.as_str())),
                _ => out.push_str("[]"),
            }
        }
        Some(out)
    }

    const MAIN: &str = r#"{
  "//": "wellarch:ignore SEC001 -- fixture",
  "resource": {
    "aws_sqs_queue": {
      "dlq": { "name": "jobs-dlq" },
      "jobs": {
        "count": 2,
        "name": "jobs-${count.index}",
        "redrive_policy": "${jsonencode({deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 5})}",
        "tags": { "Team": "a" },
        "depends_on": ["aws_sqs_queue.dlq"],
        "lifecycle": { "create_before_destroy": true }
      }
    },
    "aws_security_group": {
      "sg": {
        "vpc_id": "${aws_vpc.main.id}",
        "ingress": [
          { "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"] },
          { "from_port": 80, "to_port": 80, "cidr_blocks": ["${var.cidr}"] }
        ],
        "dynamic": { "egress": { "for_each": "${var.rules}", "iterator": "rule",
                                  "content": { "from_port": "${rule.value}" } } },
        "labels": { "kubernetes.io/role": "x" }
      }
    }
  },
  "data": { "aws_iam_policy_document": { "p": [ { "statement": { "actions": ["sqs:*"] } } ] } },
  "variable": { "cidr": { "type": "string", "default": "${not-a-template}" } },
  "locals": { "name": "orders", "size": 3.5, "on": true, "none": null, "list": ["a", "${local.name}"] },
  "output": { "arn": { "value": "${aws_sqs_queue.dlq.arn}" } },
  "module": { "net": { "source": "./net", "version": "1.0", "count": "${length(var.x)}", "cidr": "${var.cidr}" } }
}
"#;

    #[test]
    fn declarations_like_native_syntax() {
        let cfg = module(MAIN);
        assert_eq!(cfg.files.len(), 1);
        assert_eq!(cfg.resources.len(), 4);
        let dlq = &cfg.resources[0];
        assert_eq!(
            (dlq.rtype.as_str(), dlq.name.as_str(), dlq.data),
            ("aws_sqs_queue", "dlq", false)
        );
        assert_eq!((dlq.location.line, dlq.location.column), (5, 7));
        assert_eq!(dlq.lines, (5, 5));
        assert_eq!(dlq.body.attr("name").and_then(|a| a.expr.as_str()), Some("jobs-dlq"));

        let jobs = &cfg.resources[1];
        assert_eq!(jobs.lines, (6, 13));
        assert!(matches!(jobs.count, Some(Expression::Number(_))));
        let names: Vec<&str> = jobs.body.attrs.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["name", "redrive_policy", "tags"]);
        assert!(jobs.body.blocks.is_empty());
        assert!(matches!(jobs.body.attrs[0].expr, Expression::StringTemplate(_)));
        assert!(matches!(jobs.body.attrs[1].expr, Expression::FuncCall(_)));
        assert!(matches!(jobs.body.attrs[2].expr, Expression::Object(_)));
        assert_eq!(
            (jobs.body.attrs[1].location.line, jobs.body.attrs[1].location.column),
            (9, 9)
        );

        let sg = &cfg.resources[2];
        assert_eq!(
            traversal(&sg.body.attr("vpc_id").expect("vpc_id").expr).as_deref(),
            Some("aws_vpc.main.id")
        );
        let idents: Vec<&str> = sg.body.blocks.iter().map(|b| b.ident.as_str()).collect();
        assert_eq!(idents, ["ingress", "ingress", "dynamic"]);
        assert_eq!(sg.body.blocks[1].location.line, 20);
        let cidr = &sg.body.blocks[1].body.attr("cidr_blocks").expect("cidr").expr;
        assert!(
            cidr.as_array()
                .is_some_and(|a| a.iter().all(|e| traversal(e).as_deref() == Some("var.cidr")))
        );
        let dynamic = &sg.body.blocks[2];
        assert_eq!(dynamic.labels, ["egress"]);
        assert!(matches!(
            dynamic.body.attr("iterator").map(|a| &a.expr),
            Some(Expression::Variable(_))
        ));
        assert_eq!(dynamic.body.blocks[0].ident, "content");
        // A map with non-identifier keys is an attribute.
        assert!(sg.body.attr("labels").is_some());

        let p = &cfg.resources[3];
        assert!(p.data);
        assert_eq!(p.body.blocks.len(), 1);
        assert_eq!(p.body.blocks[0].ident, "statement");

        assert_eq!(cfg.variables.len(), 1);
        assert_eq!(
            cfg.variables[0].default.as_ref().and_then(Expression::as_str),
            Some("${not-a-template}")
        );
        let locals: Vec<&str> = cfg.locals.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(locals, ["name", "size", "on", "none", "list"]);
        assert!(matches!(cfg.locals[1].expr, Expression::Number(_)));
        assert!(matches!(cfg.locals[2].expr, Expression::Bool(_)));
        assert!(cfg.locals[3].expr.is_null());
        assert_eq!(cfg.outputs[0].name, "arn");
        assert_eq!(
            traversal(&cfg.outputs[0].expr).as_deref(),
            Some("aws_sqs_queue.dlq.arn")
        );
        let net = &cfg.module_calls[0];
        assert_eq!((net.name.as_str(), net.source.as_deref()), ("net", Some("./net")));
        assert!(net.count.is_some());
        assert_eq!(net.inputs.len(), 1);
        assert_eq!(cfg.suppressions.len(), 1);
        assert_eq!(cfg.suppressions[0].codes, ["SEC001"]);
        assert_eq!(cfg.suppressions[0].location.line, 2);
    }

    #[test]
    fn arrays_of_bodies_and_duplicate_keys() {
        let cfg = module(
            r#"{"resource": [{"aws_s3_bucket": {"a": {}}}, {"aws_s3_bucket": {"b": [{}, {}]}}],
                "resource": {"aws_s3_bucket": {"c": {}}}}"#,
        );
        let names: Vec<&str> = cfg.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "b", "c"]);
    }

    #[test]
    fn templates_unescape_and_keep_quotes() {
        let t = template(r#"${lookup(var.m, "k", "d")}"#).expect("parses");
        assert!(matches!(t, Expression::FuncCall(_)));
        assert_eq!(template("$${literal}").expect("parses").as_str(), Some("${literal}"));
        assert_eq!(template("plain").expect("parses").as_str(), Some("plain"));
        assert!(template("${").is_err());
    }

    #[test]
    fn errors_carry_line_and_column() {
        let err = parse_module_json(&SourceFile::new(
            "bad.tf.json",
            "{\n  \"locals\": {\n    \"a\": 1,\n  }\n}",
        ))
        .expect_err("trailing comma");
        assert_eq!((err.file.as_str(), err.line), ("bad.tf.json", 4));
        let err = parse_module_json(&SourceFile::new("t.tf.json", "{\n\"locals\": {\"a\": \"${x +}\"}}"))
            .expect_err("bad template");
        assert_eq!((err.line, err.column), (2, 17));
        assert!(parse_module_json(&SourceFile::new("a.tf.json", "[]")).is_err());
        assert!(parse_module_json(&SourceFile::new("a.tf.json", "")).is_err());
        // Wrong shapes are skipped, never a panic.
        let cfg = module(
            r#"{"resource": 3, "data": {"t": 1}, "module": [1, {"m": "x"}], "output": {"o": 1}, "variable": {"v": 2}}"#,
        );
        assert!(cfg.resources.is_empty() && cfg.module_calls.is_empty() && cfg.outputs.is_empty());
        assert_eq!(cfg.variables.len(), 1);
    }

    #[test]
    fn evaluates_like_the_native_equivalent() {
        use crate::graph::Value;
        use crate::graph::module::Modules;
        use crate::load::walk::Workspace;
        use std::sync::Arc;

        let hcl = r#"
variable "n" { default = 2 }
locals { prefix = "orders" }
resource "aws_sqs_queue" "dlq" { name = "${local.prefix}-dlq" }
resource "aws_sqs_queue" "q" {
  count          = var.n
  name           = "${local.prefix}-${count.index}"
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 5 })
  tags           = { Team = "a", "kubernetes.io/x" = "y" }
}
resource "aws_security_group" "sg" {
  ingress {
    from_port       = 443
    security_groups = [aws_security_group.lb.id]
  }
  dynamic "egress" {
    for_each = [80, 443]
    content { from_port = egress.value }
  }
}
"#;
        let json = r#"{
  "variable": { "n": { "default": 2 } },
  "locals": { "prefix": "orders" },
  "resource": {
    "aws_sqs_queue": {
      "dlq": { "name": "${local.prefix}-dlq" },
      "q": {
        "count": "${var.n}",
        "name": "${local.prefix}-${count.index}",
        "redrive_policy": "${jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 5 })}",
        "tags": { "Team": "a", "kubernetes.io/x": "y" }
      }
    },
    "aws_security_group": { "sg": {
      "ingress": { "from_port": 443, "security_groups": ["${aws_security_group.lb.id}"] },
      "dynamic": { "egress": { "for_each": [80, 443], "content": { "from_port": "${egress.value}" } } }
    } }
  }
}"#;
        let graph = |mut cfg: ModuleConfig| {
            cfg.build_index();
            let ws = Workspace::default();
            Modules::new(&ws, Arc::new(cfg), Default::default())
                .build("root".into())
                .graph
        };
        let from_hcl = graph(super::super::hcl::parse_module_file(&SourceFile::new("main.tf", hcl)).expect("hcl"));
        let from_json = graph(module(json));
        let summary = |g: &crate::graph::Graph| -> Vec<(String, Value)> {
            g.resources
                .iter()
                .map(|r| (r.address.clone(), r.attrs.clone()))
                .collect()
        };
        assert_eq!(summary(&from_hcl), summary(&from_json));
        assert_eq!(from_json.resources.len(), 4);
    }

    #[test]
    fn tfvars_are_literal() {
        let src = SourceFile::new(
            "x.tfvars.json",
            "\u{feff}{\n \"a\": \"${b}\",\n \"n\": 12345678901234567890, \"m\": {\"k.x\": [1.5]}}",
        );
        let vars = parse_tfvars_json(&src).expect("parses");
        assert_eq!(vars.len(), 3);
        assert_eq!(vars[0].expr.as_str(), Some("${b}"));
        assert_eq!((vars[0].location.line, vars[0].location.column), (2, 2));
        assert!(matches!(vars[1].expr, Expression::Number(_)));
        assert!(matches!(vars[2].expr, Expression::Object(_)));
    }
}
