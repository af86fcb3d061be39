//! Documentation generated from the rules' doc comments: `wellarch-lint rules`,
//! `wellarch-lint explain`, and the pages under `docs/rules/`.

use crate::rules::{self, RuleMeta};

/// The Markdown page of one rule (`docs/rules/<CODE>.md`, `explain`).
pub fn rule_page(m: &RuleMeta) -> String {
    format!(
        "# {code}: {name}\n\n\
         | pillar | severity | best practice | since |\n\
         |---|---|---|---|\n\
         | {pillar} | {severity} | {bp} | {since} |\n\n\
         {doc}\n",
        code = m.code,
        name = m.name,
        pillar = m.pillar.title(),
        severity = m.severity.as_str(),
        bp = m.best_practice,
        since = m.since,
        doc = m.documentation().trim(),
    )
}

/// The rule index (`wellarch-lint rules`, `docs/rules/README.md`), as a table or JSON.
pub fn rule_list(json: bool) -> String {
    let all = rules::all();
    if json {
        let list: Vec<serde_json::Value> = all
            .iter()
            .map(|r| {
                let m = r.meta();
                serde_json::json!({
                    "code": m.code, "name": m.name, "pillar": m.pillar.as_str(),
                    "severity": m.severity.as_str(), "best_practice": m.best_practice,
                    "since": m.since, "summary": m.summary(),
                })
            })
            .collect();
        return serde_json::to_string_pretty(&list).unwrap_or_default() + "\n";
    }
    let mut out =
        String::from("| code | name | pillar | severity | best practice | summary |\n|---|---|---|---|---|---|\n");
    for r in all {
        let m = r.meta();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            m.code,
            m.name,
            m.pillar.title(),
            m.severity.as_str(),
            m.best_practice,
            m.summary()
        ));
    }
    out
}

/// Every resource of every graph with its evaluated attributes; unknowns show their references.
pub fn graph_dump(graphs: &[crate::graph::Graph]) -> String {
    fn show(v: &crate::graph::Value) -> serde_json::Value {
        use crate::graph::Value;
        match v {
            Value::Unknown(refs) => serde_json::json!({
                "unknown": refs.iter().map(|r| format!("{}.{}", r.resource, r.attr)).collect::<Vec<_>>()
            }),
            Value::Encoded(inner) => serde_json::json!({ "jsonencode": show(inner) }),
            Value::List(items) => serde_json::Value::Array(items.iter().map(show).collect()),
            Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), show(v))).collect()),
            other => other.to_json(),
        }
    }
    let out: Vec<serde_json::Value> = graphs
        .iter()
        .map(|g| {
            serde_json::json!({
                "root": g.root,
                "resources": g.resources.iter().map(|r| serde_json::json!({
                    "address": r.address,
                    "location": format!("{}:{}:{}", r.location.file, r.location.line, r.location.column),
                    "attrs": show(&r.attrs),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&out).unwrap_or_default() + "\n"
}
