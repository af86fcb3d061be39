//! What the driver tests share: the registered driver of a type, JSON objects, reading a
//! child's state back, and comparing it with what was desired.

use serde_json::{Map, Value};
use terraform_provider_wellarch::aws::{self, ChildCtx, ChildState, Driver};

/// The registered driver of `resource_type` (and that it says so).
pub fn driver(resource_type: &str) -> &'static dyn Driver {
    let d = aws::driver(resource_type).unwrap_or_else(|| panic!("no driver registered for {resource_type}"));
    assert_eq!(d.resource_type(), resource_type);
    d
}

/// A `json!({...})` object as driver attributes.
pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// The string attribute `key` of a state.
pub fn string<'a>(state: &'a ChildState, key: &str) -> &'a str {
    state
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("state has no string `{key}`: {state:#?}"))
}

/// Every desired attribute reads back with the desired value, except write-only ones
/// (`*_wo`), which never reach state.
pub fn assert_reads_as(read: &ChildState, desired: &Map<String, Value>) {
    for (key, want) in desired.iter().filter(|(k, _)| !k.ends_with("_wo")) {
        assert_eq!(read.get(key), Some(want), "attribute `{key}`: read {read:#?}");
    }
}

/// The state `read` gives for a child that must still exist.
pub async fn read(d: &dyn Driver, c: &ChildCtx<'_>, state: &ChildState) -> ChildState {
    d.read(c, state)
        .await
        .expect("read")
        .unwrap_or_else(|| panic!("{} is gone", d.resource_type()))
}

/// `read` finds the child gone.
pub async fn assert_gone(d: &dyn Driver, c: &ChildCtx<'_>, state: &ChildState) {
    assert_eq!(
        d.read(c, state).await.expect("read"),
        None,
        "{} still exists",
        d.resource_type()
    );
}

/// Tag `key` of the `which` map (`tags`, `tags_all`) of a state.
pub fn tag<'a>(state: &'a ChildState, which: &str, key: &str) -> Option<&'a str> {
    state.get(which).and_then(|t| t.get(key)).and_then(Value::as_str)
}
