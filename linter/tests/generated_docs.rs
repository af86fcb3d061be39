//! `docs/rules/` is generated from the rules' doc comments. This test fails when a page is
//! stale, missing or left over; run it with `WELLARCH_UPDATE_DOCS=1` to regenerate.

use std::collections::BTreeMap;
use std::path::PathBuf;

use wellarch_lint::{docs, rules};

fn expected() -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    for rule in rules::all() {
        pages.insert(format!("{}.md", rule.meta().code), docs::rule_page(rule.meta()));
    }
    pages.insert(
        "README.md".into(),
        format!(
            "# Rules\n\nGenerated from the rules' doc comments by `WELLARCH_UPDATE_DOCS=1 cargo test -p wellarch-lint --test generated_docs`; do not edit.\n\n{}",
            docs::rule_list(false)
        ),
    );
    pages
}

#[test]
fn rule_docs_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
    let want = expected();
    if std::env::var_os("WELLARCH_UPDATE_DOCS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create docs/rules");
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
            problems.push(format!("{name} belongs to no rule"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nregenerate with: WELLARCH_UPDATE_DOCS=1 cargo test -p wellarch-lint --test generated_docs",
        problems.join("\n")
    );
}
