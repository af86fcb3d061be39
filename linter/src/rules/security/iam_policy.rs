//! IAM policy documents as SEC016 (`iam-wildcard-action`) and SEC017 (`iam-wildcard-resource`)
//! see them: the `Allow` statements of every policy written in the configuration, wherever it
//! is written (a JSON string, a heredoc, `jsonencode(...)`, or a `data "aws_iam_policy_document"`).
//!
//! Not a rule itself: shared walking code.

use crate::graph::{Graph, Resource, Value};

/// Resource types whose top-level `policy` attribute is a policy document.
pub const POLICY_RESOURCES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_s3_bucket_policy",
    "aws_sqs_queue_policy",
    "aws_sns_topic_policy",
];

/// One statement whose effect is known to be `Allow`.
#[derive(Debug, Clone, Default)]
pub struct Statement {
    pub sid: Option<String>,
    /// Known action patterns of `Action` (or of `NotAction` when `not_action`).
    pub actions: Vec<String>,
    /// Some element of the action list is not known before apply.
    pub actions_unknown: bool,
    /// The statement lists `NotAction`: it allows every action except those listed.
    pub not_action: bool,
    /// Known resource patterns of `Resource` (or of `NotResource` when `not_resource`).
    pub resources: Vec<String>,
    /// The statement lists `NotResource`: it applies to every resource except those listed.
    pub not_resource: bool,
}

impl Statement {
    /// `Resource: "*"` among the known resources, or a `NotResource` list.
    pub fn any_resource(&self) -> bool {
        self.not_resource || self.resources.iter().any(|r| r.trim() == "*")
    }
}

/// The Allow statements of one policy document, and where it is written.
#[derive(Debug)]
pub struct PolicyDoc<'g> {
    pub resource: &'g Resource,
    /// Top-level attribute or block holding the document (`policy`, `inline_policy`, `statement`).
    pub attr: &'static str,
    pub statements: Vec<Statement>,
}

/// Every policy document of the graph whose statements can be read.
///
/// A `policy` that is `data.aws_iam_policy_document.x.json` is left to the data source (which is
/// returned itself), so the same statement is never reported twice. A document that is unknown
/// as a whole (a heredoc interpolating an apply-time value, a variable) yields nothing.
pub fn policy_documents(g: &Graph) -> Vec<PolicyDoc<'_>> {
    let mut docs = Vec::new();
    for rtype in POLICY_RESOURCES {
        for r in g.of_type(rtype) {
            if let Some(statements) = r.attr("policy").and_then(json_statements) {
                docs.push(PolicyDoc {
                    resource: r,
                    attr: "policy",
                    statements,
                });
            }
        }
    }
    for role in g.of_type("aws_iam_role") {
        // In a plan, `inline_policy` also mirrors the role's `aws_iam_role_policy` resources.
        let separate: Vec<&str> = g
            .referrers_via(role, "aws_iam_role_policy", Some("role"))
            .into_iter()
            .filter_map(|p| p.str_attr("name"))
            .collect();
        let mut statements = Vec::new();
        for block in role.attrs.blocks("inline_policy") {
            if block
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| separate.contains(&n))
            {
                continue;
            }
            if let Some(s) = block.field("policy").and_then(json_statements) {
                statements.extend(s);
            }
        }
        if !statements.is_empty() {
            docs.push(PolicyDoc {
                resource: role,
                attr: "inline_policy",
                statements,
            });
        }
    }
    for ds in g.data_of_type("aws_iam_policy_document") {
        if is_key_policy(g, ds) {
            continue;
        }
        let mut statements: Vec<Statement> = ds
            .attrs
            .blocks("statement")
            .into_iter()
            .filter_map(document_statement)
            .collect();
        for key in [
            "source_policy_documents",
            "override_policy_documents",
            "source_json",
            "override_json",
        ] {
            let Some(v) = ds.attr(key) else { continue };
            let items: Vec<&Value> = match v {
                Value::List(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                statements.extend(json_statements(item).unwrap_or_default());
            }
        }
        if !statements.is_empty() {
            docs.push(PolicyDoc {
                resource: ds,
                attr: "statement",
                statements,
            });
        }
    }
    docs
}

/// Resource attributes that hold a KMS key policy, where `"Resource": "*"` means the key itself.
const KEY_POLICY_ATTRS: &[(&str, &str)] = &[("aws_kms_key", "policy"), ("aws_kms_replica_key", "policy")];

/// A policy document used only as a KMS key policy (and used at all).
fn is_key_policy(g: &Graph, ds: &Resource) -> bool {
    let users = g.referrers(ds);
    !users.is_empty()
        && users
            .iter()
            .all(|e| KEY_POLICY_ATTRS.contains(&(e.from.rtype.as_str(), e.attr)))
}

/// The Allow statements of a JSON policy value, or `None` when it cannot be read (unknown as a
/// whole, not JSON, or the `json` of a policy-document data source, which is checked itself).
fn json_statements(policy: &Value) -> Option<Vec<Statement>> {
    if policy.is_unknown() {
        return None;
    }
    let doc = policy.decode_json()?;
    let statements = match doc.get("Statement")? {
        Value::List(items) => items.iter().filter_map(json_statement).collect(),
        Value::Encoded(inner) => match inner.as_ref() {
            Value::List(items) => items.iter().filter_map(json_statement).collect(),
            other => json_statement(other).into_iter().collect(),
        },
        one => json_statement(one).into_iter().collect(),
    };
    Some(statements)
}

fn json_statement(s: &Value) -> Option<Statement> {
    let s = match s {
        Value::Encoded(inner) => inner.as_ref(),
        other => other,
    };
    let effect = s.get("Effect")?.as_str()?;
    if !effect.eq_ignore_ascii_case("allow") {
        return None;
    }
    let (action_key, not_action) = match s.field("NotAction") {
        Some(_) => ("NotAction", true),
        None => ("Action", false),
    };
    let (resource_key, not_resource) = match s.field("NotResource") {
        Some(_) => ("NotResource", true),
        None => ("Resource", false),
    };
    let (actions, actions_unknown) = string_list(s.field(action_key));
    let (resources, _) = string_list(s.field(resource_key));
    Some(Statement {
        sid: s.get("Sid").and_then(Value::as_str).map(str::to_string),
        actions,
        actions_unknown,
        not_action,
        resources,
        not_resource,
    })
}

/// One `statement {}` block of `data "aws_iam_policy_document"`; `effect` defaults to Allow.
fn document_statement(block: &Value) -> Option<Statement> {
    match block.field("effect") {
        None => {}
        Some(e) if e.as_str().is_some_and(|e| e.eq_ignore_ascii_case("allow")) => {}
        // Deny, or an effect not known before apply.
        Some(_) => return None,
    }
    let not_action = block.field("not_actions").is_some() && block.field("actions").is_none();
    let (actions, actions_unknown) = string_list(if not_action {
        block.field("not_actions")
    } else {
        block.field("actions")
    });
    let not_resource = block.field("not_resources").is_some() && block.field("resources").is_none();
    let (resources, _) = string_list(if not_resource {
        block.field("not_resources")
    } else {
        block.field("resources")
    });
    Some(Statement {
        sid: block.get("sid").and_then(Value::as_str).map(str::to_string),
        actions,
        actions_unknown,
        not_action,
        resources,
        not_resource,
    })
}

/// Known strings of a string-or-list value, and whether some part is unknown.
fn string_list(v: Option<&Value>) -> (Vec<String>, bool) {
    match v {
        None => (Vec::new(), false),
        Some(Value::String(s)) => (vec![s.clone()], false),
        Some(Value::List(items)) => {
            let known: Vec<String> = items.iter().filter_map(Value::as_str).map(str::to_string).collect();
            let unknown = known.len() != items.len();
            (known, unknown)
        }
        Some(Value::Encoded(inner)) => string_list(Some(inner)),
        Some(_) => (Vec::new(), true),
    }
}

/// `*` or a whole service (`s3:*`).
pub fn is_wildcard_action(action: &str) -> bool {
    let a = action.trim();
    a == "*"
        || a.split_once(':')
            .is_some_and(|(service, verb)| !service.is_empty() && verb == "*")
}

/// Reads of data (not of metadata): harmless-looking `Get` verbs that still must not apply to
/// every resource.
const DATA_READS: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
];

/// Write actions that have no resource to name, so `"Resource": "*"` is the only way to grant them.
const GLOBAL_ACTIONS: &[&str] = &[
    "sts:GetCallerIdentity",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
    "logs:CreateLogGroup",
];

/// Whether an action pattern may be granted on `"Resource": "*"`: read-only metadata verbs
/// (`Get*`, `List*`, `Describe*`) that do not reach data, and actions that only work with `*`.
pub fn fine_on_any_resource(action: &str) -> bool {
    let a = action.trim();
    if GLOBAL_ACTIONS.iter().any(|g| g.eq_ignore_ascii_case(a)) {
        return true;
    }
    let Some((service, verb)) = a.split_once(':') else {
        return false;
    };
    if service.is_empty() || service.contains(['*', '?']) {
        return false;
    }
    let verb = verb.to_ascii_lowercase();
    let read_only = ["get", "list", "describe"].iter().any(|p| verb.starts_with(p));
    read_only
        && !DATA_READS
            .iter()
            .any(|d| glob_match(&a.to_ascii_lowercase(), &d.to_ascii_lowercase()))
}

/// IAM-style wildcard match (`*` any run, `?` one character), on lower-cased input.
fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// `arn:aws:iam::aws:policy/AdministratorAccess` in any partition.
pub fn is_administrator_access(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.ends_with(":iam::aws:policy/AdministratorAccess")
}

/// Whether a value names the AdministratorAccess managed policy: the ARN written out, or a
/// `data "aws_iam_policy"` looked up by that name or ARN.
pub fn names_administrator_access(g: &Graph, value: &Value) -> bool {
    if value.strings().iter().any(|s| is_administrator_access(s)) {
        return true;
    }
    value.refs().iter().flat_map(|r| g.resolve(r)).any(|t| {
        t.data
            && t.rtype == "aws_iam_policy"
            && (t.str_attr("name") == Some("AdministratorAccess")
                || t.str_attr("arn").is_some_and(is_administrator_access))
    })
}

/// At most `n` items, quoted, then "and N more".
pub fn quoted_list(items: &[String], n: usize) -> String {
    let mut shown: Vec<String> = items.iter().take(n).map(|i| format!("\"{i}\"")).collect();
    if items.len() > n {
        shown.push(format!("and {} more", items.len() - n));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_actions() {
        assert!(is_wildcard_action("*"));
        assert!(is_wildcard_action("s3:*"));
        assert!(!is_wildcard_action("s3:Get*"));
        assert!(!is_wildcard_action(":*"));
    }

    #[test]
    fn read_only_and_global_actions() {
        assert!(fine_on_any_resource("ec2:Describe*"));
        assert!(fine_on_any_resource("xray:PutTraceSegments"));
        assert!(fine_on_any_resource("s3:ListAllMyBuckets"));
        assert!(!fine_on_any_resource("s3:GetObject"));
        assert!(!fine_on_any_resource("s3:Get*"), "Get* includes GetObject");
        assert!(!fine_on_any_resource("ssm:GetParameter*"));
        assert!(!fine_on_any_resource("s3:PutObject"));
        assert!(!fine_on_any_resource("*"));
        assert!(!fine_on_any_resource("ec2:*"));
        assert!(!fine_on_any_resource("*:Describe*"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("s3:get*", "s3:getobject"));
        assert!(glob_match("s3:get?bject", "s3:getobject"));
        assert!(!glob_match("s3:list*", "s3:getobject"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn administrator_access_in_every_partition() {
        assert!(is_administrator_access("arn:aws:iam::aws:policy/AdministratorAccess"));
        assert!(is_administrator_access(
            "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"
        ));
        assert!(!is_administrator_access("arn:aws:iam::aws:policy/ReadOnlyAccess"));
    }
}
