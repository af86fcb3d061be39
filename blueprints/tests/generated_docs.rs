//! `docs/resources/` is generated from the composites' schemas, examples and expansions. This
//! test fails when a page is stale, missing or left over; run it with `WELLARCH_UPDATE_DOCS=1`
//! to regenerate (the convention of `linter/tests/generated_docs.rs`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use wellarch_blueprints::{docs, kinds};

fn expected() -> BTreeMap<String, String> {
    kinds()
        .iter()
        .map(|k| (docs::page_file(k), docs::resource_page(k)))
        .collect()
}

#[test]
fn resource_docs_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/resources");
    let want = expected();
    if std::env::var_os("WELLARCH_UPDATE_DOCS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create docs/resources");
        for (name, text) in &want {
            std::fs::write(dir.join(name), text).expect("write page");
        }
    }
    let mut problems = Vec::new();
    for (name, text) in &want {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(have) if &have == text => {}
            Ok(_) => problems.push(format!("{name} is stale")),
            Err(_) => problems.push(format!("{name} is missing")),
        }
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !want.contains_key(&name) {
            problems.push(format!("{name} belongs to no composite"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nregenerate with: WELLARCH_UPDATE_DOCS=1 cargo test -p wellarch-blueprints --test generated_docs",
        problems.join("\n")
    );
}

#[test]
fn every_page_documents_every_argument_and_component() {
    for kind in kinds() {
        let page = docs::resource_page(&kind);
        let schema = (kind.schema)();
        for a in &schema.attributes {
            assert!(
                page.contains(&format!("- `{}` (", a.name)),
                "{}: {}",
                kind.type_name,
                a.name
            );
        }
        for b in &schema.blocks {
            assert!(
                page.contains(&format!("### `{}` block", b.name)),
                "{}: {}",
                kind.type_name,
                b.name
            );
        }
        let planned = (kind.plan)(&(kind.example_config)()).expect("the example plans");
        for c in &planned.expansion.components {
            assert!(page.contains(&format!("| `{}` |", c.address())), "{}", c.address());
        }
        assert!(page.contains(kind.example));
    }
}
