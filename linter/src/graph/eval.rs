//! Expression evaluation: HCL expressions to [`Value`]s in the scope of one module instance.
//!
//! Variables, locals, module inputs and outputs, `count` and `for_each` are resolved;
//! a reference to a resource attribute becomes [`Value::Unknown`] carrying a [`Ref`],
//! because its value is only known after apply but rules still need to follow it.

use std::collections::BTreeMap;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};

use super::functions;
use super::module::Modules;
use super::value::{Ref, Value};

/// A definite evaluation error (missing key, wrong type, index out of range).
/// Unknown values are not errors: they evaluate to [`Value::Unknown`].
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError(pub String);

type Result<T> = std::result::Result<T, EvalError>;

fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(EvalError(msg.into()))
}

/// Deep expressions are legal but a malicious file must not overflow the stack.
const MAX_DEPTH: usize = 256;

/// What names mean at one point of evaluation.
#[derive(Clone, Default)]
pub struct Scope {
    /// Index of the module instance in [`Modules`].
    pub module: usize,
    pub count_index: Option<Value>,
    pub each: Option<(Value, Value)>,
    /// `for` expression variables and `dynamic` block iterators, innermost last.
    pub bindings: Vec<(String, Value)>,
}

impl Scope {
    pub fn module(module: usize) -> Scope {
        Scope {
            module,
            ..Scope::default()
        }
    }

    fn bound(&self, name: &str) -> Option<&Value> {
        self.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn with(&self, name: &str, value: Value) -> Scope {
        let mut s = self.clone();
        s.bindings.push((name.to_string(), value));
        s
    }
}

/// Unknown that keeps every reference of the given values.
pub fn unknown_from<'a>(values: impl IntoIterator<Item = &'a Value>) -> Value {
    let mut refs: Vec<Ref> = Vec::new();
    for v in values {
        for r in v.refs() {
            if !refs.contains(r) {
                refs.push(r.clone());
            }
        }
    }
    Value::Unknown(refs)
}

impl Modules<'_> {
    /// Evaluates an expression; definite errors become an empty unknown, never a panic.
    pub fn eval_or_unknown(&self, expr: &Expression, scope: &Scope) -> Value {
        self.eval(expr, scope, 0).unwrap_or_else(|_| Value::unknown())
    }

    pub fn eval(&self, expr: &Expression, scope: &Scope, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Ok(Value::unknown());
        }
        let d = depth + 1;
        Ok(match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::Number(n.value().as_f64().unwrap_or(0.0)),
            Expression::String(s) => Value::String(s.value().to_string()),
            Expression::Array(items) => {
                Value::List(items.iter().map(|e| self.eval(e, scope, d)).collect::<Result<_>>()?)
            }
            Expression::Object(obj) => {
                let mut map = BTreeMap::new();
                for (key, value) in obj.iter() {
                    let key = match key {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(e) => match self.eval(e, scope, d)? {
                            // `(var.x) = ...` with a bare traversal key is a literal name only when
                            // it is not parenthesised; hcl-edit already tells those apart.
                            v if v.to_template_string().is_some() => v.to_template_string().unwrap_or_default(),
                            v => return Ok(unknown_from([&v])),
                        },
                    };
                    map.insert(key, self.eval(value.expr(), scope, d)?);
                }
                Value::Map(map)
            }
            Expression::StringTemplate(t) => self.eval_elements(t.iter(), scope, d)?,
            Expression::HeredocTemplate(h) => {
                let v = self.eval_template(&h.template, scope, d)?;
                match (v, h.indent()) {
                    (Value::String(s), Some(_)) => Value::String(dedent(&s)),
                    (v, _) => v,
                }
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), scope, d)?,
            Expression::Variable(v) => match scope.bound(v.as_str()) {
                Some(value) => value.clone(),
                None => Value::unknown(),
            },
            Expression::Conditional(c) => match self.eval(&c.cond_expr, scope, d)? {
                Value::Bool(true) => self.eval(&c.true_expr, scope, d)?,
                Value::Bool(false) => self.eval(&c.false_expr, scope, d)?,
                Value::String(s) if s == "true" => self.eval(&c.true_expr, scope, d)?,
                Value::String(s) if s == "false" => self.eval(&c.false_expr, scope, d)?,
                cond => {
                    let t = self.eval(&c.true_expr, scope, d).unwrap_or_default();
                    let f = self.eval(&c.false_expr, scope, d).unwrap_or_default();
                    unknown_from([&cond, &t, &f])
                }
            },
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                let args: Vec<&Expression> = call.args.iter().collect();
                match name {
                    "try" => {
                        for arg in &args {
                            if let Ok(v) = self.eval(arg, scope, d) {
                                return Ok(v);
                            }
                        }
                        return err("no argument of try() evaluated");
                    }
                    "can" => {
                        return Ok(match args.first().map(|a| self.eval(a, scope, d)) {
                            Some(Ok(v)) if v.is_unknown() => Value::unknown(),
                            Some(Ok(_)) => Value::Bool(true),
                            _ => Value::Bool(false),
                        });
                    }
                    _ => {}
                }
                let mut values = args
                    .iter()
                    .map(|a| self.eval(a, scope, d))
                    .collect::<Result<Vec<_>>>()?;
                if call.args.expand_final() {
                    match values.pop() {
                        Some(Value::List(items)) => values.extend(items),
                        Some(other) => return Ok(unknown_from(values.iter().chain([&other]))),
                        None => {}
                    }
                }
                if call.name.is_namespaced() {
                    return Ok(unknown_from(&values));
                }
                functions::call(name, values, &self.dir(scope.module))?
            }
            Expression::Traversal(t) => {
                let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                match &t.expr {
                    Expression::Variable(root) if scope.bound(root.as_str()).is_none() => {
                        self.eval_reference(root.as_str(), &ops, scope, d)?
                    }
                    base => {
                        let v = self.eval(base, scope, d)?;
                        self.apply_ops(v, &ops, scope, d)?
                    }
                }
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr, scope, d)?;
                match (op.operator.value(), &v) {
                    (_, Value::Unknown(_)) => v,
                    (UnaryOperator::Not, _) => match v.as_bool() {
                        Some(b) => Value::Bool(!b),
                        None => return err("! needs a bool"),
                    },
                    (UnaryOperator::Neg, _) => match v.as_f64() {
                        Some(n) => Value::Number(-n),
                        None => return err("- needs a number"),
                    },
                }
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval(&op.lhs_expr, scope, d)?;
                // Short-circuit only on known values, as Terraform does not short-circuit at all
                // but a known `false &&` decides the result regardless of the other side.
                match (op.operator.value(), lhs.as_bool()) {
                    (BinaryOperator::And, Some(false)) => return Ok(Value::Bool(false)),
                    (BinaryOperator::Or, Some(true)) => return Ok(Value::Bool(true)),
                    _ => {}
                }
                let rhs = self.eval(&op.rhs_expr, scope, d)?;
                binary(*op.operator.value(), &lhs, &rhs)?
            }
            Expression::ForExpr(f) => {
                let collection = self.eval(&f.intro.collection_expr, scope, d)?;
                let pairs: Vec<(Value, Value)> = match &collection {
                    Value::List(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (Value::Number(i as f64), v.clone()))
                        .collect(),
                    Value::Map(m) => m.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect(),
                    Value::Null => return err("for over null"),
                    other => return Ok(unknown_from([other])),
                };
                let key_var = f.intro.key_var.as_ref().map(|k| k.as_str());
                let value_var = f.intro.value_var.as_str();
                let mut list = Vec::new();
                let mut map: BTreeMap<String, Value> = BTreeMap::new();
                for (k, v) in pairs {
                    let mut s = scope.with(value_var, v);
                    if let Some(kv) = key_var {
                        s = s.with(kv, k);
                    }
                    if let Some(cond) = &f.cond {
                        match self.eval(&cond.expr, &s, d)?.as_bool() {
                            Some(true) => {}
                            Some(false) => continue,
                            None => return Ok(unknown_from([&collection])),
                        }
                    }
                    let value = self.eval(&f.value_expr, &s, d)?;
                    match &f.key_expr {
                        None => list.push(value),
                        Some(key_expr) => {
                            let Some(key) = self.eval(key_expr, &s, d)?.to_template_string() else {
                                return Ok(unknown_from([&collection, &value]));
                            };
                            if f.grouping {
                                match map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                                    Value::List(items) => items.push(value),
                                    _ => return err("grouping into a non-list"),
                                }
                            } else {
                                map.insert(key, value);
                            }
                        }
                    }
                }
                if f.key_expr.is_some() {
                    Value::Map(map)
                } else {
                    Value::List(list)
                }
            }
        })
    }

    fn eval_template(&self, t: &Template, scope: &Scope, depth: usize) -> Result<Value> {
        self.eval_elements(t.iter(), scope, depth)
    }

    fn eval_elements<'e>(
        &self,
        elements: impl Iterator<Item = &'e Element>,
        scope: &Scope,
        depth: usize,
    ) -> Result<Value> {
        let elements: Vec<&Element> = elements.collect();
        // A template that is a single interpolation yields the value itself, not its string form.
        if let [Element::Interpolation(i)] = elements.as_slice() {
            return self.eval(&i.expr, scope, depth);
        }
        let mut out = String::new();
        let mut unknown_parts: Vec<Value> = Vec::new();
        for element in elements {
            let part = match element {
                Element::Literal(s) => Value::String(s.value().to_string()),
                Element::Interpolation(i) => self.eval(&i.expr, scope, depth)?,
                Element::Directive(dir) => match dir.as_ref() {
                    Directive::If(ifd) => match self.eval(&ifd.if_expr.cond_expr, scope, depth)?.as_bool() {
                        Some(true) => self.eval_template(&ifd.if_expr.template, scope, depth)?,
                        Some(false) => match &ifd.else_expr {
                            Some(e) => self.eval_template(&e.template, scope, depth)?,
                            None => Value::String(String::new()),
                        },
                        None => Value::unknown(),
                    },
                    Directive::For(ford) => {
                        let fe = &ford.for_expr;
                        let collection = self.eval(&fe.collection_expr, scope, depth)?;
                        let pairs: Vec<(Value, Value)> = match &collection {
                            Value::List(items) => items
                                .iter()
                                .enumerate()
                                .map(|(i, v)| (Value::Number(i as f64), v.clone()))
                                .collect(),
                            Value::Map(m) => m.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect(),
                            other => {
                                unknown_parts.push(other.clone());
                                continue;
                            }
                        };
                        let mut s = String::new();
                        for (k, v) in pairs {
                            let mut inner = scope.with(fe.value_var.as_str(), v);
                            if let Some(kv) = &fe.key_var {
                                inner = inner.with(kv.as_str(), k);
                            }
                            match self.eval_template(&fe.template, &inner, depth)? {
                                Value::String(part) => s.push_str(&part),
                                other => unknown_parts.push(other),
                            }
                        }
                        Value::String(s)
                    }
                },
            };
            match part.to_template_string() {
                Some(s) => out.push_str(&s),
                None => unknown_parts.push(part),
            }
        }
        if unknown_parts.is_empty() {
            Ok(Value::String(out))
        } else {
            Ok(unknown_from(&unknown_parts))
        }
    }

    /// `var.x`, `local.x`, `module.m.out`, `aws_sqs_queue.q.arn`, `data.t.n.attr`, `each.key`, ...
    fn eval_reference(&self, root: &str, ops: &[&TraversalOperator], scope: &Scope, d: usize) -> Result<Value> {
        let first = ops.first().and_then(|op| attr_name(op));
        match root {
            "var" => {
                let Some(name) = first else { return Ok(Value::unknown()) };
                let v = self.variable(scope.module, name, d)?;
                self.apply_ops(v, &ops[1..], scope, d)
            }
            "local" => {
                let Some(name) = first else { return Ok(Value::unknown()) };
                let v = self.local(scope.module, name, d)?;
                self.apply_ops(v, &ops[1..], scope, d)
            }
            "count" => match (first, &scope.count_index) {
                (Some("index"), Some(i)) => self.apply_ops(i.clone(), &ops[1..], scope, d),
                _ => Ok(Value::unknown()),
            },
            "each" => match (first, &scope.each) {
                (Some("key"), Some((k, _))) => self.apply_ops(k.clone(), &ops[1..], scope, d),
                (Some("value"), Some((_, v))) => self.apply_ops(v.clone(), &ops[1..], scope, d),
                _ => Ok(Value::unknown()),
            },
            "path" => match first {
                Some("module") | Some("root") | Some("cwd") => {
                    Ok(Value::String(self.dir(scope.module).to_string_lossy().into_owned()))
                }
                _ => Ok(Value::unknown()),
            },
            "terraform" => Ok(match first {
                Some("workspace") => Value::String("default".into()),
                _ => Value::unknown(),
            }),
            "self" => Ok(Value::unknown()),
            "module" => {
                let Some(name) = first else { return Ok(Value::unknown()) };
                self.module_reference(scope.module, name, &ops[1..], scope, d)
            }
            "data" => match (first, ops.get(1).and_then(|op| attr_name(op))) {
                (Some(rtype), Some(name)) => {
                    self.resource_reference(scope.module, &format!("data.{rtype}"), name, &ops[2..], scope, d)
                }
                _ => Ok(Value::unknown()),
            },
            rtype => match first {
                Some(name) => self.resource_reference(scope.module, rtype, name, &ops[1..], scope, d),
                None => Ok(Value::unknown()),
            },
        }
    }

    /// `module.NAME...`: outputs of a child module instance (or of all of them).
    fn module_reference(
        &self,
        module: usize,
        name: &str,
        ops: &[&TraversalOperator],
        scope: &Scope,
        d: usize,
    ) -> Result<Value> {
        let Some(call) = self.module_call(module, name) else {
            return Ok(Value::unknown());
        };
        let instances = self.children(module, name, d);
        if !call.expanded {
            // A single instance: `module.m.out`.
            let Some(&(_, child)) = instances.first() else {
                return Ok(Value::unknown());
            };
            return match ops.first().and_then(|op| attr_name(op)) {
                Some(out) => {
                    let v = self.output(child, out, d)?;
                    self.apply_ops(v, &ops[1..], scope, d)
                }
                None => {
                    let v = self.all_outputs(child, d);
                    self.apply_ops(v, ops, scope, d)
                }
            };
        }
        let Some(instances) = instances.known() else {
            return Ok(Value::unknown());
        };
        match ops.first() {
            Some(TraversalOperator::Index(e)) => {
                let key = self.eval(e, scope, d)?;
                let Some(key) = key.to_template_string() else {
                    return Ok(unknown_from([&key]));
                };
                match instances
                    .iter()
                    .find(|(k, _)| k.to_template_string().as_deref() == Some(&key))
                {
                    Some(&(_, child)) => match ops.get(1).and_then(|op| attr_name(op)) {
                        Some(out) => {
                            let v = self.output(child, out, d)?;
                            self.apply_ops(v, &ops[2..], scope, d)
                        }
                        None => self.apply_ops(self.all_outputs(child, d), &ops[1..], scope, d),
                    },
                    None => err(format!("module.{name}[{key}] does not exist")),
                }
            }
            _ => {
                let all: Vec<Value> = instances.iter().map(|&(_, c)| self.all_outputs(c, d)).collect();
                let v = if call.keyed {
                    Value::Map(
                        instances
                            .iter()
                            .zip(all)
                            .map(|((k, _), v)| (k.to_template_string().unwrap_or_default(), v))
                            .collect(),
                    )
                } else {
                    Value::List(all)
                };
                self.apply_ops(v, ops, scope, d)
            }
        }
    }

    /// `TYPE.NAME...`: a reference to a resource, kept as [`Value::Unknown`] with a [`Ref`].
    fn resource_reference(
        &self,
        module: usize,
        rtype: &str,
        name: &str,
        ops: &[&TraversalOperator],
        scope: &Scope,
        d: usize,
    ) -> Result<Value> {
        let base = format!("{}{rtype}.{name}", self.prefix_dot(module));
        let keys = self.resource_keys(module, rtype, name, d);
        match ops.first() {
            Some(TraversalOperator::Index(e)) => {
                let key = self.eval(e, scope, d)?;
                let instance = match (&key, &keys) {
                    (Value::Number(n), _) => format!("{base}[{}]", super::value::format_number(*n)),
                    (Value::String(s), InstanceKeys::Count(_)) if s.parse::<f64>().is_ok() => format!("{base}[{s}]"),
                    (Value::String(s), _) => format!("{base}[{}]", quote_key(s)),
                    _ => base.clone(),
                };
                Ok(attr_path_value(&instance, &ops[1..]))
            }
            Some(TraversalOperator::LegacyIndex(i)) => {
                Ok(attr_path_value(&format!("{base}[{}]", i.value()), &ops[1..]))
            }
            Some(TraversalOperator::AttrSplat(_)) | Some(TraversalOperator::FullSplat(_)) => {
                match keys.instances(&base) {
                    Some(instances) => Ok(Value::List(
                        instances.iter().map(|i| attr_path_value(i, &ops[1..])).collect(),
                    )),
                    None => Ok(attr_path_value(&base, &ops[1..])),
                }
            }
            _ => match (&keys, ops.is_empty()) {
                // The bare resource: a list (count) or map (for_each) of instances.
                (InstanceKeys::Count(n), true) => Ok(Value::List(
                    (0..*n).map(|i| attr_path_value(&format!("{base}[{i}]"), &[])).collect(),
                )),
                (InstanceKeys::ForEach(k), true) => Ok(Value::Map(
                    k.iter()
                        .map(|key| {
                            (
                                key.clone(),
                                attr_path_value(&format!("{base}[{}]", quote_key(key)), &[]),
                            )
                        })
                        .collect(),
                )),
                _ => Ok(attr_path_value(&base, ops)),
            },
        }
    }

    /// Applies traversal operators to an evaluated value.
    pub fn apply_ops(&self, mut v: Value, ops: &[&TraversalOperator], scope: &Scope, d: usize) -> Result<Value> {
        for (i, op) in ops.iter().enumerate() {
            v = match op {
                TraversalOperator::GetAttr(name) => get_attr(v, name.as_str())?,
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, scope, d)?;
                    index(v, &key)?
                }
                TraversalOperator::LegacyIndex(n) => index(v, &Value::Number(*n.value() as f64))?,
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = &ops[i + 1..];
                    return match v {
                        Value::Null => Ok(Value::List(Vec::new())),
                        Value::List(items) => Ok(Value::List(
                            items
                                .into_iter()
                                .map(|item| self.apply_ops(item, rest, scope, d))
                                .collect::<Result<_>>()?,
                        )),
                        Value::Unknown(refs) => self.apply_ops(Value::Unknown(refs), rest, scope, d),
                        other => Ok(Value::List(vec![self.apply_ops(other, rest, scope, d)?])),
                    };
                }
            };
        }
        Ok(v)
    }
}

fn attr_name(op: &TraversalOperator) -> Option<&str> {
    match op {
        TraversalOperator::GetAttr(name) => Some(name.as_str()),
        _ => None,
    }
}

/// `"a"` → `["a"]` as Terraform writes for_each instance keys.
pub fn quote_key(key: &str) -> String {
    format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A reference to `resource` followed by attribute path `ops` (`.arn`, `.tags.Name`, `[0].id`).
fn attr_path_value(resource: &str, ops: &[&TraversalOperator]) -> Value {
    let mut path = String::new();
    for op in ops {
        match op {
            TraversalOperator::GetAttr(name) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name.as_str());
            }
            TraversalOperator::LegacyIndex(i) => path.push_str(&format!("[{}]", i.value())),
            _ => path.push_str("[*]"),
        }
    }
    Value::Unknown(vec![Ref {
        resource: resource.to_string(),
        attr: path,
    }])
}

fn get_attr(v: Value, name: &str) -> Result<Value> {
    match v {
        Value::Map(mut m) => match m.remove(name) {
            Some(v) => Ok(v),
            None => err(format!("no attribute {name:?}")),
        },
        Value::Unknown(refs) => Ok(Value::Unknown(
            refs.into_iter()
                .map(|r| Ref {
                    attr: if r.attr.is_empty() {
                        name.to_string()
                    } else {
                        format!("{}.{name}", r.attr)
                    },
                    resource: r.resource,
                })
                .collect(),
        )),
        Value::Encoded(inner) => get_attr(*inner, name),
        Value::Null => err(format!("attribute {name:?} of null")),
        _ => err(format!("attribute {name:?} of a non-object")),
    }
}

fn index(v: Value, key: &Value) -> Result<Value> {
    if key.is_unknown() {
        return Ok(unknown_from([&v, key]));
    }
    match v {
        Value::List(mut items) => {
            let Some(i) = key.as_f64().filter(|n| *n >= 0.0 && n.fract() == 0.0) else {
                return err("list index must be a whole number");
            };
            let i = i as usize;
            if i < items.len() {
                Ok(items.swap_remove(i))
            } else {
                err("index out of range")
            }
        }
        Value::Map(mut m) => {
            let Some(k) = key.to_template_string() else {
                return err("map key must be a string");
            };
            m.remove(&k).ok_or_else(|| EvalError(format!("no key {k:?}")))
        }
        Value::Unknown(refs) => Ok(Value::Unknown(refs)),
        Value::Encoded(inner) => index(*inner, key),
        _ => err("index into a non-collection"),
    }
}

fn binary(op: BinaryOperator, lhs: &Value, rhs: &Value) -> Result<Value> {
    use BinaryOperator::*;
    if lhs.is_unknown() || rhs.is_unknown() {
        return Ok(unknown_from([lhs, rhs]));
    }
    Ok(match op {
        Eq => Value::Bool(loose_eq(lhs, rhs)),
        NotEq => Value::Bool(!loose_eq(lhs, rhs)),
        And | Or => match (lhs.as_bool(), rhs.as_bool()) {
            (Some(a), Some(b)) => Value::Bool(if op == And { a && b } else { a || b }),
            _ => return err("logical operator needs bools"),
        },
        _ => {
            let (Some(a), Some(b)) = (lhs.as_f64(), rhs.as_f64()) else {
                return err("arithmetic needs numbers");
            };
            match op {
                Plus => Value::Number(a + b),
                Minus => Value::Number(a - b),
                Mul => Value::Number(a * b),
                Div if b != 0.0 => Value::Number(a / b),
                Mod if b != 0.0 => Value::Number(a % b),
                Div | Mod => return err("division by zero"),
                Less => Value::Bool(a < b),
                LessEq => Value::Bool(a <= b),
                Greater => Value::Bool(a > b),
                GreaterEq => Value::Bool(a >= b),
                Eq | NotEq | And | Or => unreachable_op(),
            }
        }
    })
}

fn unreachable_op() -> Value {
    Value::unknown()
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::String(s)) | (Value::String(s), Value::Number(x)) => {
            s.parse::<f64>().is_ok_and(|y| y == *x)
        }
        _ => a == b,
    }
}

/// `<<-` heredocs: remove the common leading whitespace.
fn dedent(s: &str) -> String {
    let indent = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    s.split_inclusive('\n')
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect()
}

/// The instances of one resource or module call, as decided by `count` / `for_each`.
#[derive(Debug, Clone, PartialEq)]
pub enum InstanceKeys {
    Single,
    Count(usize),
    ForEach(Vec<String>),
    /// `count`/`for_each` that cannot be known before apply: one instance stands for all.
    Unknown,
}

impl InstanceKeys {
    /// Instance addresses, when they are known.
    pub fn instances(&self, base: &str) -> Option<Vec<String>> {
        match self {
            InstanceKeys::Single => Some(vec![base.to_string()]),
            InstanceKeys::Count(n) => Some((0..*n).map(|i| format!("{base}[{i}]")).collect()),
            InstanceKeys::ForEach(keys) => Some(keys.iter().map(|k| format!("{base}[{}]", quote_key(k))).collect()),
            InstanceKeys::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::{Graph, Ref, Value};
    use crate::testing::lint;

    fn graph(files: &[(&str, &str)]) -> Graph {
        let mut outcome = lint(files);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        outcome.graphs.remove(0)
    }

    fn attr(g: &Graph, address: &str, key: &str) -> Value {
        g.get(address)
            .unwrap_or_else(|| panic!("no {address}"))
            .attrs
            .get(key)
            .cloned()
            .unwrap_or_default()
    }

    fn unknown(resource: &str, attr: &str) -> Value {
        Value::Unknown(vec![Ref {
            resource: resource.into(),
            attr: attr.into(),
        }])
    }

    #[test]
    fn variables_locals_and_tfvars() {
        let g = graph(&[
            (
                "main.tf",
                r#"
                variable "env" { default = "dev" }
                variable "size" { default = 1 }
                locals {
                  name = "app-${var.env}"
                  big  = var.size > 2
                }
                resource "aws_sqs_queue" "q" {
                  name = local.name
                  fifo_queue = local.big
                  delay_seconds = var.size * 2
                }
            "#,
            ),
            ("terraform.tfvars", "size = 3\n"),
            ("prod.tfvars", "env = \"prod\"\n"),
        ]);
        assert_eq!(attr(&g, "aws_sqs_queue.q", "name"), Value::String("app-dev".into()));
        assert_eq!(attr(&g, "aws_sqs_queue.q", "fifo_queue"), Value::Bool(true));
        assert_eq!(attr(&g, "aws_sqs_queue.q", "delay_seconds"), Value::Number(6.0));
    }

    #[test]
    fn for_each_instances_and_each_value() {
        let g = graph(&[(
            "main.tf",
            r#"
            variable "azs" { default = { a = "10.0.1.0/24", b = "10.0.2.0/24" } }
            resource "aws_subnet" "s" {
              for_each   = var.azs
              cidr_block = each.value
              tags       = { Name = each.key }
            }
            resource "aws_db_subnet_group" "g" {
              subnet_ids = [for s in aws_subnet.s : s.id]
            }
        "#,
        )]);
        assert_eq!(
            attr(&g, "aws_subnet.s[\"b\"]", "cidr_block"),
            Value::String("10.0.2.0/24".into())
        );
        assert_eq!(
            attr(&g, "aws_db_subnet_group.g", "subnet_ids"),
            Value::List(vec![
                unknown("aws_subnet.s[\"a\"]", "id"),
                unknown("aws_subnet.s[\"b\"]", "id")
            ])
        );
    }

    #[test]
    fn module_inputs_outputs_and_counted_modules() {
        let g = graph(&[
            (
                "main.tf",
                r#"
                module "net" {
                  source = "./net"
                  count  = 2
                  cidr   = "10.${count.index}.0.0/16"
                }
                resource "aws_flow_log" "f" { vpc_id = module.net[1].vpc_id }
            "#,
            ),
            (
                "net/main.tf",
                r#"
                variable "cidr" {}
                resource "aws_vpc" "this" { cidr_block = var.cidr }
                output "vpc_id" { value = aws_vpc.this.id }
            "#,
            ),
        ]);
        assert_eq!(
            attr(&g, "module.net[1].aws_vpc.this", "cidr_block"),
            Value::String("10.1.0.0/16".into())
        );
        assert_eq!(
            attr(&g, "aws_flow_log.f", "vpc_id"),
            unknown("module.net[1].aws_vpc.this", "id")
        );
    }

    #[test]
    fn unknown_conditions_keep_references_of_both_branches() {
        let g = graph(&[(
            "main.tf",
            r#"
            resource "aws_sqs_queue" "a" {}
            resource "aws_sqs_queue" "b" {}
            resource "aws_sns_topic" "t" { name = aws_sqs_queue.a.fifo_queue ? aws_sqs_queue.a.name : aws_sqs_queue.b.name }
        "#,
        )]);
        let v = attr(&g, "aws_sns_topic.t", "name");
        let mut refs: Vec<&str> = v.refs().iter().map(|r| r.resource.as_str()).collect();
        refs.dedup();
        assert_eq!(refs, ["aws_sqs_queue.a", "aws_sqs_queue.b"]);
    }

    #[test]
    fn dynamic_blocks_expand_over_known_collections() {
        let g = graph(&[(
            "main.tf",
            r#"
            variable "ports" { default = [80, 443] }
            resource "aws_security_group" "web" {
              dynamic "ingress" {
                for_each = var.ports
                content {
                  from_port   = ingress.value
                  to_port     = ingress.value
                  cidr_blocks = ["0.0.0.0/0"]
                }
              }
            }
        "#,
        )]);
        let ingress = attr(&g, "aws_security_group.web", "ingress");
        let ports: Vec<f64> = ingress
            .as_list()
            .unwrap_or(&[])
            .iter()
            .filter_map(|b| b.get("from_port")?.as_f64())
            .collect();
        assert_eq!(ports, [80.0, 443.0]);
    }

    #[test]
    fn cycles_and_deep_nesting_evaluate_to_unknown_without_crashing() {
        let deep = format!("locals {{ d = {}1{} }}", "[".repeat(60), "]".repeat(60));
        let g = graph(&[(
            "main.tf",
            &format!(
                r#"
            locals {{
              a = local.b
              b = local.a
            }}
            {deep}
            resource "aws_sqs_queue" "q" {{ name = local.a }}
            resource "aws_sqs_queue" "r" {{ tags = {{ d = local.d }} }}
        "#
            ),
        )]);
        assert!(attr(&g, "aws_sqs_queue.q", "name").is_unknown());
        assert!(g.get("aws_sqs_queue.r").is_some());
    }

    #[test]
    fn nesting_beyond_the_parser_limit_is_a_located_parse_error() {
        let deep = format!("locals {{ d = {}1{} }}\n", "[".repeat(5000), "]".repeat(5000));
        let outcome = lint(&[("main.tf", &deep), ("ok.tf", "resource \"aws_sqs_queue\" \"q\" {}\n")]);
        assert_eq!(outcome.errors.len(), 1);
        assert_eq!(
            (outcome.errors[0].line, outcome.errors[0].file.ends_with("main.tf")),
            (1, true)
        );
        assert_eq!(outcome.resources, 1, "the other file is still linted");
    }

    #[test]
    fn unknown_count_yields_one_instance_standing_for_all() {
        let g = graph(&[(
            "main.tf",
            r#"
            resource "aws_subnet" "s" { count = length(aws_vpc.v.ipv6_cidr_block) }
            resource "aws_vpc" "v" {}
            resource "aws_route_table_association" "a" { subnet_id = aws_subnet.s[0].id }
        "#,
        )]);
        assert!(g.get("aws_subnet.s").is_some());
        let assoc = g
            .get("aws_route_table_association.a")
            .map(|r| g.targets(&r.attrs, "aws_subnet").len());
        assert_eq!(assoc, Some(1));
    }
}
