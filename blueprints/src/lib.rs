//! Composite architectures as data.
//!
//! A composite is a typed configuration plus `expand(config) -> Expansion`. The expansion's
//! components are `aws_*` resources with `hashicorp/aws` type and attribute names, and their
//! references are Terraform expressions ([`Expr::Ref`]). Three consumers read the same data:
//! the provider provisions the components, the linter lints them like hand-written resources,
//! and the docs render the schema.

pub mod build;
pub mod burst_tolerant_api;
pub mod component;
pub mod config;
pub mod docs;
pub mod expr;
pub mod multiregion_commerce;
pub mod schema;

pub use component::{Body, Component, Expansion, Mode};
pub use expr::{Expr, Function, Ref};
pub use schema::{Attribute, Block, Nesting, Schema, Type};

pub use component::ExpansionError;
pub use expr::Unresolved;

/// A composite resource type: its schema and how a configuration becomes components.
pub struct Kind {
    /// `wellarch_burst_tolerant_api`
    pub type_name: &'static str,
    /// Configuration attributes and blocks, plus the computed outputs.
    pub schema: fn() -> Schema,
    /// Validates a configuration and expands it. The configuration is Terraform's JSON shape
    /// of the schema (unset attributes null, blocks as objects or arrays); a value unknown
    /// at plan time is [`unknown()`].
    pub plan: fn(&serde_json::Value) -> Result<Planned, Vec<ConfigError>>,
    /// A usage example in HCL (one `resource` block), for the docs.
    pub example: &'static str,
    /// The example's configuration in Terraform's JSON shape: the docs list the components
    /// it expands into, and the linter's tests check that it matches [`Kind::example`].
    pub example_config: fn() -> serde_json::Value,
    /// How settings change the set of components, for the docs' component table.
    pub components_note: &'static str,
    /// Further documentation sections (Markdown, `##` headings), for the end of the docs page.
    pub guide: &'static str,
}

/// A valid configuration, with every defaulted attribute filled in, and its expansion.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    pub config: serde_json::Value,
    pub expansion: Expansion,
}

/// A problem with one attribute of a configuration, for an attribute-level diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Attribute path: names of attributes and blocks, and list indices as numbers.
    pub path: Vec<PathStep>,
    pub message: String,
    /// The value is unknown, but the expansion's shape needs it. Terraform validates with
    /// input variables unknown, so ValidateResourceConfig skips such errors and
    /// PlanResourceChange (where variables are known) reports them.
    pub needs_known_value: bool,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", config::display_path(&self.path), self.message)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    Attribute(String),
    Index(usize),
    Key(String),
}

/// The marker for a configuration value unknown at plan time.
pub fn unknown() -> serde_json::Value {
    serde_json::json!({ UNKNOWN_MARKER: true })
}

/// Whether `value` is the [`unknown()`] marker.
pub fn is_unknown(value: &serde_json::Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.contains_key(UNKNOWN_MARKER))
}

const UNKNOWN_MARKER: &str = "__wellarch_unknown__";

/// Attributes the provider adds to every composite's schema (`id`, the children's
/// bookkeeping, drift). A configuration that carries them (planned values, state) is still
/// valid: [`Kind::plan`] ignores them.
pub const PROVIDER_ATTRIBUTES: &[&str] = &["id", "components", "drift"];

/// Every composite type.
pub fn kinds() -> Vec<Kind> {
    vec![burst_tolerant_api::kind(), multiregion_commerce::kind()]
}

/// The composite type named `type_name` (`wellarch_burst_tolerant_api`).
pub fn kind(type_name: &str) -> Option<Kind> {
    kinds().into_iter().find(|k| k.type_name == type_name)
}
