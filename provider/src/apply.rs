//! The orchestrator: turns an expansion plus the children that exist into AWS calls, in
//! dependency waves (independent children in parallel), and always reports what exists.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use wellarch_blueprints::Expansion;

use crate::aws::{AwsEnv, ChildState};

/// One child as recorded in the composite's private state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Child {
    pub resource_type: String,
    /// `None`: the provider's region.
    pub region: Option<String>,
    pub state: ChildState,
}

/// Children by component address (`aws_sqs_queue.jobs`).
pub type Children = BTreeMap<String, Child>;

/// The composite being acted on.
pub struct Target<'a> {
    pub env: &'a AwsEnv,
    /// `wellarch_burst_tolerant_api.orders`
    pub composite: &'a str,
    /// `default_tags` of the provider merged with the composite's `tags`.
    pub tags: &'a BTreeMap<String, String>,
    /// Cancelled by StopProvider: in-flight calls stop, the outcome still lists what exists.
    pub cancel: &'a CancellationToken,
}

/// What exists after an operation, and what went wrong (`aws_sqs_queue.jobs: CreateQueue: …`).
/// `children` is correct on every path, errors included.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub children: Children,
    pub errors: Vec<String>,
}

/// A difference between what a child should be and what AWS has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub component: String,
    /// `deleted outside Terraform`, or `visibility_timeout_seconds is 30, expected 180`.
    pub message: String,
}

/// Makes AWS match `expansion`: creates missing children, updates changed ones in place,
/// replaces those whose change needs it, deletes children the expansion no longer has.
pub async fn apply(target: &Target<'_>, expansion: &Expansion, prior: Children) -> Outcome {
    let _ = (target, expansion);
    Outcome {
        children: prior,
        errors: vec!["the orchestrator is not built yet".into()],
    }
}

/// Refreshes every child; children deleted behind Terraform's back leave `children` and
/// appear as drift, as do changed attributes.
pub async fn read(target: &Target<'_>, expansion: &Expansion, prior: Children) -> (Outcome, Vec<Drift>) {
    let _ = (target, expansion);
    (
        Outcome {
            children: prior,
            errors: vec!["the orchestrator is not built yet".into()],
        },
        Vec::new(),
    )
}

/// Deletes every child in reverse dependency order and waits until each is gone.
pub async fn destroy(target: &Target<'_>, expansion: &Expansion, prior: Children) -> Outcome {
    let _ = (target, expansion);
    Outcome {
        children: prior,
        errors: vec!["the orchestrator is not built yet".into()],
    }
}

/// The composite's computed outputs: `expansion.outputs` resolved against the children.
pub fn outputs(expansion: &Expansion, children: &Children) -> BTreeMap<String, serde_json::Value> {
    let lookup = |r: &wellarch_blueprints::Ref| {
        children
            .get(&r.component)
            .and_then(|c| c.state.get(&r.attribute))
            .cloned()
    };
    expansion
        .outputs
        .iter()
        .filter_map(|(name, expr)| expr.resolve(&lookup).ok().map(|v| (name.clone(), v)))
        .collect()
}
