//! Linting a composite's expansion as if its components were hand-written resources.
//!
//! PLACEHOLDER (protocol branch): the provider's plan-time checks call this function; the
//! real implementation is written on another branch and replaces this file on merge. Until
//! then it reports nothing.

use std::collections::BTreeSet;

use wellarch_blueprints::Expansion;

use crate::rules::Finding;

/// Findings on the components of `expansion`, addressed `<address>/<type>.<name>`, skipping
/// the rule codes in `disabled_rules`.
pub fn lint_expansion(address: &str, expansion: &Expansion, disabled_rules: &BTreeSet<String>) -> Vec<Finding> {
    let _ = (address, expansion, disabled_rules);
    Vec::new()
}
