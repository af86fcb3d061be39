//! Native HCL (`.tf`, `.tfvars`) and Terraform JSON (`.tf.json`, `.tfvars.json`) loaders on
//! arbitrary bytes: no panic, and a failure is always an error located at line and column ≥ 1.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wellarch_lint::load::config::LoadError;
use wellarch_lint::load::source::SourceFile;
use wellarch_lint::load::{hcl, tfjson};

fn check<T>(file: &str, result: Result<T, LoadError>) {
    if let Err(e) = result {
        assert_eq!(e.file, file);
        assert!(e.line >= 1 && e.column >= 1, "unlocated error: {e:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let src = SourceFile::new("fuzz.tf", text.as_ref());
    check("fuzz.tf", hcl::parse_module_file(&src));
    check("fuzz.tf", hcl::parse_tfvars(&src));
    let json = SourceFile::new("fuzz.tf.json", text.as_ref());
    check("fuzz.tf.json", tfjson::parse_module_json(&json));
    check("fuzz.tf.json", tfjson::parse_tfvars_json(&json));
});
