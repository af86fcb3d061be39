//! The Registry page of a composite (`docs/resources/<name>.md`), rendered from its schema,
//! its example and the components the example expands into. `blueprints/tests/generated_docs.rs`
//! fails when a page in the repository is stale.

use std::fmt::Write;

use serde_json::Value;

use crate::Kind;
use crate::schema::{Attribute, Block, Nesting, Presence, Schema, Type};

/// `burst_tolerant_api.md` for `wellarch_burst_tolerant_api`.
pub fn page_file(kind: &Kind) -> String {
    format!(
        "{}.md",
        kind.type_name.strip_prefix("wellarch_").unwrap_or(kind.type_name)
    )
}

pub fn resource_page(kind: &Kind) -> String {
    let schema = (kind.schema)();
    let mut out = String::new();
    let summary = first_sentence(&schema.description);
    let _ = write!(
        out,
        "---\npage_title: \"{name} Resource - terraform-provider-wellarch\"\nsubcategory: \"\"\ndescription: |-\n  {summary}\n---\n\n",
        name = kind.type_name
    );
    let _ = write!(out, "# {} (Resource)\n\n{}\n\n", kind.type_name, schema.description);
    out.push_str(
        "<!-- Generated from the blueprint by `WELLARCH_UPDATE_DOCS=1 cargo test -p wellarch-blueprints --test generated_docs`; do not edit. -->\n\n",
    );
    let _ = write!(out, "## Example Usage\n\n```terraform\n{}```\n\n", kind.example);

    out.push_str("## Argument Reference\n\n");
    arguments(&mut out, &schema);
    for block in &schema.blocks {
        block_section(&mut out, block, "");
    }

    out.push_str("## Attribute Reference\n\nIn addition to the arguments above, these attributes are exported:\n\n");
    for a in schema.attributes.iter().filter(|a| a.presence == Presence::Computed) {
        let _ = writeln!(out, "- `{}` ({}) {}", a.name, type_label(&a.ty), a.description);
    }
    out.push('\n');

    components(&mut out, kind);
    if !kind.guide.is_empty() {
        out.push_str(kind.guide);
        if !kind.guide.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text.to_string(),
    }
}

fn arguments(out: &mut String, schema: &Schema) {
    let args: Vec<&Attribute> = schema
        .attributes
        .iter()
        .filter(|a| a.presence != Presence::Computed)
        .collect();
    for a in args {
        let mut flags = vec![type_label(&a.ty)];
        flags.push(
            match a.presence {
                Presence::Required => "Required",
                _ => "Optional",
            }
            .to_string(),
        );
        if a.sensitive {
            flags.push("Sensitive".into());
        }
        let _ = write!(out, "- `{}` ({}) {}", a.name, flags.join(", "), a.description);
        if let (Presence::Defaulted, Some(d)) = (a.presence, &a.default) {
            let _ = write!(out, " Defaults to {}.", default_text(&a.ty, d));
        }
        if a.forces_replacement {
            out.push_str(" Changing it replaces the children that carry it.");
        }
        out.push('\n');
    }
    for b in &schema.blocks {
        let _ = writeln!(
            out,
            "- `{}` (Block{}) {} See [below](#{}).",
            b.name,
            match b.nesting {
                Nesting::Single => ", Optional".to_string(),
                Nesting::List { min: 0, max: 0 } => ", Optional, repeatable".to_string(),
                Nesting::List { min: 0, max: 1 } => ", Optional".to_string(),
                Nesting::List { min: 1, max: 1 } => ", Required".to_string(),
                Nesting::List { min, max: 0 } => format!(", at least {min}"),
                Nesting::List { min, max } => format!(", {min} to {max}"),
            },
            first_sentence(&b.schema.description),
            anchor(&b.name)
        );
    }
    out.push('\n');
}

fn block_section(out: &mut String, block: &Block, parent: &str) {
    let path = if parent.is_empty() {
        block.name.clone()
    } else {
        format!("{parent}.{}", block.name)
    };
    let _ = write!(
        out,
        "<a id=\"{}\"></a>\n### `{path}` block\n\n{}\n\n",
        anchor(&block.name),
        block.schema.description
    );
    arguments(out, &block.schema);
    for b in &block.schema.blocks {
        block_section(out, b, &path);
    }
}

fn anchor(name: &str) -> String {
    format!("nested-{}", name.replace('_', "-"))
}

fn type_label(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::List(t) => format!("List of {}", type_label(t)),
        Type::Set(t) => format!("Set of {}", type_label(t)),
        Type::Map(t) => format!("Map of {}", type_label(t)),
        Type::Object(_) => "Object".into(),
        Type::Dynamic => "Dynamic".into(),
    }
}

/// A default as users write it; a string default of a non-string attribute is a note on how
/// the default is derived.
fn default_text(ty: &Type, d: &Value) -> String {
    match (ty, d) {
        (Type::String, Value::String(s)) => format!("`\"{s}\"`"),
        (_, Value::String(note)) => note.clone(),
        (_, other) => format!("`{other}`"),
    }
}

fn components(out: &mut String, kind: &Kind) {
    out.push_str("## Components\n\n");
    let expansion = match (kind.plan)(&(kind.example_config)()) {
        Ok(planned) => planned.expansion,
        Err(errors) => {
            let _ = writeln!(out, "The example does not plan: {errors:?}\n");
            return;
        }
    };
    out.push_str(
        "The example above expands into these `hashicorp/aws` resources, created in dependency order \
         (independent ones in parallel) and deleted in reverse. ",
    );
    out.push_str(kind.components_note);
    out.push_str("\n\n");
    out.push_str("| Component | Region | Description |\n|---|---|---|\n");
    for c in &expansion.components {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            c.address(),
            c.region.as_deref().unwrap_or("provider's"),
            c.description.replace('|', "\\|")
        );
    }
    out.push('\n');
}
