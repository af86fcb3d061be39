//! Composite resources: every `wellarch_blueprints::Kind` served as one Terraform resource
//! type. The behaviour is generic (`composite.rs`); a composite that needs something of its
//! own would get a file here.
//!
//! Each composite's schema is its kind's schema plus three computed attributes:
//! - `id`: the composite's `name`;
//! - `components`: child address (`aws_sqs_queue.jobs`) → physical id;
//! - `drift`: what the last refresh found changed or missing outside Terraform (and what
//!   the last failed apply left unconverged), so the next plan converges again.
//!
//! The children themselves (`crate::apply::Children`) live in private state: Terraform
//! keeps them with the resource but never shows them in plan diffs.

pub mod composite;
mod lint;

pub use composite::{ApplyOutput, Composite, Env, PlanInput, PlanOutput, ReadOutput};

pub const ID: &str = "id";
pub const COMPONENTS: &str = "components";
/// Computed: every tag the children carry (the provider's `default_tags` merged with `tags`),
/// so a `default_tags` change alone plans an in-place update.
pub const TAGS_ALL: &str = "tags_all";
pub const DRIFT: &str = "drift";
