//! Plan JSON loader on arbitrary bytes: no panic; a failure is an error located at line and
//! column ≥ 1, and every resource of a loaded plan has an address that starts with its base.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wellarch_lint::load::plan;
use wellarch_lint::load::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = plan::looks_like_plan(&text);
    let src = SourceFile::new("plan.json", text.as_ref());
    match plan::load_plan(&src) {
        Ok(graph) => {
            for r in &graph.resources {
                assert!(r.address.starts_with(&r.base), "{} / {}", r.address, r.base);
                assert!(r.location.line >= 1 && r.location.column >= 1, "{r:?}");
            }
        }
        Err(e) => {
            assert_eq!(e.file, "plan.json");
            assert!(e.line >= 1 && e.column >= 1, "unlocated error: {e:?}");
        }
    }
});
