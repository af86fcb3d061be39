//! PlanResourceChange: the planned state (configuration kept, defaults filled, outputs
//! unknown where they will change), replacement paths, and the plan-time
//! Well-Architected findings on the expansion.

use super::{Shared, decode, encode};
use crate::diagnostics::{attribute_path, to_proto};
use crate::proto::tfplugin6::plan_resource_change::{Request, Response};
use crate::resources::PlanInput;

pub(super) async fn handle(shared: &Shared, request: Request) -> Response {
    let failed = |d| Response {
        planned_state: None,
        requires_replace: Vec::new(),
        planned_private: request.prior_private.clone(),
        diagnostics: to_proto(&[d]),
    };
    let composite = match shared.composite(&request.type_name) {
        Ok(c) => c,
        Err(d) => return failed(d),
    };
    let ty = composite.value_type();
    let decoded = decode(ty, request.prior_state.as_ref(), "prior state").and_then(|prior| {
        let proposed = decode(ty, request.proposed_new_state.as_ref(), "proposed new state")?;
        let config = decode(ty, request.config.as_ref(), "resource configuration")?;
        Ok((prior, proposed, config))
    });
    let (prior, proposed, config) = match decoded {
        Ok(v) => v,
        Err(d) => return failed(d),
    };
    let lint = shared.lint();
    let default_tags = shared.default_tags();
    let out = composite.plan(&PlanInput {
        prior: &prior,
        proposed: &proposed,
        config: &config,
        prior_private: &request.prior_private,
        lint: &lint,
        default_tags: &default_tags,
    });
    let mut diagnostics = out.diagnostics;
    let planned_state = match encode(ty, &out.planned) {
        Ok(v) => Some(v),
        Err(d) => {
            diagnostics.push(d);
            None
        }
    };
    Response {
        planned_state,
        requires_replace: out.requires_replace.iter().map(|p| attribute_path(p)).collect(),
        planned_private: out.planned_private,
        diagnostics: to_proto(&diagnostics),
    }
}
