//! `wellarch-lint`: Terraform HCL and plan JSON → resource graph → Well-Architected rules → reports.
//!
//! The pipeline is visible in the modules: [`load`] reads files, [`graph`] evaluates them into
//! resource instances with references, [`rules`] ask the graph questions, [`engine`] applies
//! configuration, suppressions and baselines, and [`report`] renders the findings.
//! [`composite`] expands `wellarch_*` composites into the resources they stand for.

pub mod baseline;
pub mod composite;
pub mod config;
pub mod docs;
pub mod engine;
pub mod graph;
pub mod load;
pub mod report;
pub mod rules;
pub mod suppress;
#[cfg(test)]
pub mod testing;
