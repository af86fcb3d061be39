//! Composite expansion: a `wellarch_*` resource becomes the `aws_*` components its blueprint
//! expands into, and those are linted exactly like hand-written resources (design §2).
//!
//! A child's address is the composite's address, a slash, and the component's address
//! (`module.m.wellarch_burst_tolerant_api.orders[0]/aws_sqs_queue.jobs`). Children are located
//! at the composite's block, so findings point at it and a `# wellarch:ignore` on that block
//! covers them. References between components become the linter's unknown-with-reference
//! values pointing at the sibling child, so rules follow them as they follow hand-written
//! references. A reference from a hand-written resource to a composite output
//! (`wellarch_burst_tolerant_api.orders.queue_arn`) is rewritten to the child the output
//! comes from ([`link_outputs`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use wellarch_blueprints::{ConfigError, Expansion, Expr, Kind, PathStep};

use crate::graph::eval::unknown_from;
use crate::graph::{Graph, Location, Ref, Resource, Value, functions};
use crate::rules::{self, Ctx, Finding};

/// Lints the expansion of one composite: every enabled rule over its components. This is
/// the provider's plan-time validation.
///
/// `address` is the composite's address (`wellarch_burst_tolerant_api.orders`); findings name
/// children as `<address>/<component address>`. `disabled_rules` holds rule codes (or names)
/// to skip. The findings carry no file location (`location.file` is empty, line 0): the
/// provider attaches them to the resource block itself. Unknown values (`Expr::Unknown`) are
/// unknown to the rules, which never flag what they cannot know.
pub fn lint_expansion(address: &str, expansion: &Expansion, disabled_rules: &[String]) -> Vec<Finding> {
    let site = Site {
        address,
        location: &Location::default(),
        lines: (0, 0),
    };
    let graph = Graph::new(address.to_string(), resources(expansion, &site));
    let disabled = |r: &&dyn rules::Rule| {
        let m = r.meta();
        disabled_rules
            .iter()
            .any(|d| d.eq_ignore_ascii_case(m.code) || d == m.name)
    };
    let mut findings = Vec::new();
    for rule in rules::all().into_iter().filter(|r| !disabled(r)) {
        let mut ctx = Ctx::new(&graph, rule.meta());
        rule.check(&mut ctx);
        findings.extend(ctx.findings);
    }
    findings.sort_by(|a, b| (&a.resource, a.rule.code, &a.message).cmp(&(&b.resource, b.rule.code, &b.message)));
    findings
}

/// Where a composite was written.
pub struct Site<'a> {
    /// The composite instance's address (`module.m.wellarch_burst_tolerant_api.orders[0]`).
    pub address: &'a str,
    /// Its block header: every child's location.
    pub location: &'a Location,
    /// First and last line of its block, for inline suppressions.
    pub lines: (u32, u32),
}

/// The outputs of one composite instance, as values over its children.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// Instance address (`wellarch_burst_tolerant_api.orders["a"]`).
    pub address: String,
    /// Address without the instance key (`wellarch_burst_tolerant_api.orders`).
    pub base: String,
    pub values: BTreeMap<String, Value>,
}

/// A composite's children, and its outputs for [`link_outputs`].
pub struct Expanded {
    pub children: Vec<Resource>,
    pub outputs: Outputs,
}

/// Plans one composite instance from its evaluated configuration. `Err` holds the
/// configuration's problems as messages, each with the top-level attribute it is about.
pub fn expand(
    kind: &Kind,
    config: &Value,
    site: &Site<'_>,
    base: &str,
) -> Result<Expanded, Vec<(Option<String>, String)>> {
    let planned = (kind.plan)(&config_json(config)).map_err(|errors| errors.iter().map(problem).collect::<Vec<_>>())?;
    let expansion = planned.expansion;
    Ok(Expanded {
        children: resources(&expansion, site),
        outputs: Outputs {
            address: site.address.to_string(),
            base: base.to_string(),
            values: expansion
                .outputs
                .iter()
                .map(|(name, expr)| (name.clone(), expr_value(site.address, expr)))
                .collect(),
        },
    })
}

/// A configuration error as a load error message, with the top-level attribute it is about.
fn problem(e: &ConfigError) -> (Option<String>, String) {
    let first = match e.path.first() {
        Some(PathStep::Attribute(a)) => Some(a.clone()),
        _ => None,
    };
    (first, e.to_string())
}

/// The components of an expansion as graph resources, located at the composite's block.
pub fn resources(expansion: &Expansion, site: &Site<'_>) -> Vec<Resource> {
    expansion
        .components
        .iter()
        .map(|c| {
            let address = format!("{}/{}", site.address, c.address());
            Resource {
                base: address.clone(),
                address,
                // A composite is its own scope: an untraceable hand-written reference elsewhere
                // in the module does not stand for one of its children.
                module: site.address.to_string(),
                data: !c.is_managed(),
                rtype: c.resource_type.clone(),
                name: c.name.clone(),
                attrs: body_value(site.address, &c.body),
                location: site.location.clone(),
                attr_locations: BTreeMap::new(),
                lines: site.lines,
                origin: Some(site.address.to_string()),
            }
        })
        .collect()
}

fn body_value(composite: &str, body: &wellarch_blueprints::Body) -> Value {
    let mut map: BTreeMap<String, Value> = BTreeMap::new();
    for (name, expr) in &body.attributes {
        map.insert(name.clone(), expr_value(composite, expr));
    }
    for (name, block) in &body.blocks {
        let v = body_value(composite, block);
        match map.entry(name.clone()).or_insert_with(|| Value::List(Vec::new())) {
            Value::List(items) => items.push(v),
            other => *other = Value::List(vec![v]),
        }
    }
    Value::Map(map)
}

/// A blueprint expression as the value the HCL evaluator would give it: references become
/// unknowns carrying a [`Ref`] to the sibling child, functions are Terraform's.
pub fn expr_value(composite: &str, expr: &Expr) -> Value {
    match expr {
        Expr::Null => Value::Null,
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
        Expr::String(s) => Value::String(s.clone()),
        Expr::List(items) => Value::List(items.iter().map(|e| expr_value(composite, e)).collect()),
        Expr::Object(fields) => Value::Map(
            fields
                .iter()
                .map(|(k, e)| (k.clone(), expr_value(composite, e)))
                .collect(),
        ),
        Expr::Ref(r) => Value::Unknown(vec![Ref {
            resource: format!("{composite}/{}", r.component),
            attr: r.attribute.clone(),
        }]),
        Expr::Unknown => Value::unknown(),
        Expr::Template(parts) => {
            let parts: Vec<Value> = parts.iter().map(|e| expr_value(composite, e)).collect();
            let strings: Option<Vec<String>> = parts
                .iter()
                .map(|p| match p {
                    Value::Null => Some(String::new()),
                    other => other.to_template_string(),
                })
                .collect();
            match strings {
                Some(s) => Value::String(s.concat()),
                None => unknown_from(&parts),
            }
        }
        Expr::JsonEncode(inner) => {
            let v = expr_value(composite, inner);
            functions::call("jsonencode", vec![v.clone()], Path::new(""))
                .unwrap_or_else(|_| Value::Encoded(Box::new(v)))
        }
        Expr::Call { function, args } => {
            let args: Vec<Value> = args.iter().map(|e| expr_value(composite, e)).collect();
            if args.iter().all(Value::is_fully_known) {
                let json: Vec<serde_json::Value> = args.iter().map(Value::to_json).collect();
                Value::from_json(&function.apply(&json))
            } else {
                unknown_from(&args)
            }
        }
    }
}

/// An evaluated configuration in Terraform's JSON shape for [`Kind::plan`]: unknown values
/// become [`wellarch_blueprints::unknown()`], whole numbers JSON integers.
pub fn config_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => serde_json::Value::from(*n as i64),
        Value::Number(n) => serde_json::Number::from_f64(*n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(config_json).collect()),
        Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), config_json(v))).collect()),
        Value::Unknown(_) | Value::Encoded(_) => wellarch_blueprints::unknown(),
    }
}

/// The blueprint for a resource type, when it is a composite the linter knows.
pub fn kind_of(rtype: &str) -> Option<Kind> {
    if rtype.starts_with("wellarch_") {
        wellarch_blueprints::kind(rtype)
    } else {
        None
    }
}

/// Rewrites references to composite outputs (`wellarch_x.orders.queue_arn`) into the
/// references the outputs are made of (`wellarch_x.orders/aws_sqs_queue.jobs.arn`), so a
/// hand-written event source mapping on a composite's queue is seen by the rules.
pub fn link_outputs(resources: &mut [Resource], composites: &[Outputs]) {
    if composites.is_empty() {
        return;
    }
    let mut by_key: HashMap<&str, Vec<&Outputs>> = HashMap::new();
    for c in composites {
        by_key.entry(c.address.as_str()).or_default().push(c);
        if c.base != c.address {
            by_key.entry(c.base.as_str()).or_default().push(c);
        }
    }
    let lookup = |r: &Ref| -> Option<Vec<Ref>> {
        let targets = by_key.get(r.resource.as_str()).or_else(|| {
            // `x[0]` of a composite whose instances could not be told apart.
            let base = r
                .resource
                .strip_suffix(']')
                .and_then(|s| s.rfind('[').map(|i| &s[..i]))?;
            by_key.get(base)
        })?;
        let output = r.attr.split(['.', '[']).next().unwrap_or_default();
        let mut refs: Vec<Ref> = Vec::new();
        let mut found = false;
        for t in targets {
            if let Some(v) = t.values.get(output) {
                found = true;
                refs.extend(v.refs().into_iter().cloned());
            }
        }
        found.then_some(refs)
    };
    for r in resources.iter_mut() {
        rewrite(&mut r.attrs, &lookup);
    }
}

fn rewrite(v: &mut Value, lookup: &dyn Fn(&Ref) -> Option<Vec<Ref>>) {
    match v {
        Value::Unknown(refs) if refs.iter().any(|r| lookup(r).is_some()) => {
            let mut out: Vec<Ref> = Vec::new();
            for r in refs.iter() {
                for n in lookup(r).unwrap_or_else(|| vec![r.clone()]) {
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            *refs = out;
        }
        Value::List(items) => items.iter_mut().for_each(|i| rewrite(i, lookup)),
        Value::Map(m) => m.values_mut().for_each(|i| rewrite(i, lookup)),
        Value::Encoded(inner) => rewrite(inner, lookup),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wellarch_blueprints::burst_tolerant_api;

    use super::*;

    fn expansion(config: serde_json::Value) -> Expansion {
        burst_tolerant_api::plan(&config).expect("plans").expansion
    }

    fn minimal() -> serde_json::Value {
        json!({ "name": "orders", "handler": { "filename": "consumer.zip" } })
    }

    #[test]
    fn the_default_expansion_has_no_finding() {
        let findings = lint_expansion("wellarch_burst_tolerant_api.orders", &expansion(minimal()), &[]);
        let found: Vec<String> = findings
            .iter()
            .map(|f| format!("{} {}: {}", f.rule.code, f.resource, f.message))
            .collect();
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn insecure_settings_are_found_on_the_child_and_rules_can_be_disabled() {
        let mut c = minimal();
        c["table"] = json!({ "point_in_time_recovery": false, "deletion_protection": false });
        c["handler"]["architecture"] = json!("x86_64");
        c["api"] = json!({ "access_logs": false });
        let e = expansion(c);
        let found = |disabled: &[String]| -> Vec<(String, String)> {
            lint_expansion("wellarch_burst_tolerant_api.orders", &e, disabled)
                .into_iter()
                .map(|f| (f.rule.code.to_string(), f.resource))
                .collect()
        };
        let table = "wellarch_burst_tolerant_api.orders/aws_dynamodb_table.items".to_string();
        let all = found(&[]);
        assert_eq!(
            all,
            [
                (
                    "OPS001".to_string(),
                    "wellarch_burst_tolerant_api.orders/aws_apigatewayv2_stage.default".to_string()
                ),
                ("REL008".to_string(), table.clone()),
                ("REL009".to_string(), table.clone()),
                (
                    "SUS001".to_string(),
                    "wellarch_burst_tolerant_api.orders/aws_lambda_function.consumer".to_string()
                ),
            ]
        );
        let fewer = found(&["REL008".to_string(), "lambda-not-arm64".to_string()]);
        assert_eq!(
            fewer.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
            ["OPS001", "REL009"]
        );
        assert!(
            lint_expansion("x", &e, &[])
                .iter()
                .all(|f| f.location.line == 0 && f.location.file.is_empty())
        );
    }

    #[test]
    fn references_point_at_siblings_and_functions_evaluate() {
        let mut c = minimal();
        c["edge"] = json!({});
        let e = expansion(c);
        let site = Site {
            address: "wellarch_burst_tolerant_api.a",
            location: &Location::default(),
            lines: (1, 2),
        };
        let rs = resources(&e, &site);
        let graph = Graph::new("t".into(), rs);
        let queue = graph
            .get("wellarch_burst_tolerant_api.a/aws_sqs_queue.jobs")
            .expect("queue");
        let dlqs = graph.targets(
            &queue
                .attr("redrive_policy")
                .and_then(Value::decode_json)
                .unwrap_or_default(),
            "aws_sqs_queue",
        );
        assert_eq!(dlqs.len(), 1);
        assert_eq!(dlqs[0].address, "wellarch_burst_tolerant_api.a/aws_sqs_queue.dlq");
        let dist = graph
            .get("wellarch_burst_tolerant_api.a/aws_cloudfront_distribution.edge")
            .expect("distribution");
        let origin = dist.attrs.blocks("origin")[0]
            .get("domain_name")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            origin.refs()[0].resource,
            "wellarch_burst_tolerant_api.a/aws_apigatewayv2_api.http"
        );
        // Known arguments: the function is applied.
        let known = Expr::call(
            wellarch_blueprints::Function::TrimPrefix,
            vec![Expr::str("https://x.example"), Expr::str("https://")],
        );
        assert_eq!(expr_value("c", &known), Value::String("x.example".into()));
        // The policy keeps its structure (jsonencode of unknown ARNs).
        let policy = graph
            .get("wellarch_burst_tolerant_api.a/aws_iam_role_policy.api")
            .and_then(|p| p.attr("policy"))
            .cloned()
            .unwrap_or_default();
        assert!(matches!(policy, Value::Encoded(_)), "{policy:?}");
    }

    #[test]
    fn configurations_convert_with_unknown_markers() {
        let v = Value::Map(
            [
                ("n".to_string(), Value::Number(30.0)),
                ("u".to_string(), Value::unknown()),
                ("e".to_string(), Value::Encoded(Box::new(Value::unknown()))),
            ]
            .into(),
        );
        assert_eq!(
            config_json(&v),
            json!({ "e": wellarch_blueprints::unknown(), "n": 30, "u": wellarch_blueprints::unknown() })
        );
    }
}
