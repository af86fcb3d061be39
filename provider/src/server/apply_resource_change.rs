//! ApplyResourceChange: create, update or destroy the composite's children. On every
//! error path the response still carries the state of what exists.

use super::{Shared, decode, encode, env};
use crate::diagnostics::{Diagnostic, to_proto};
use crate::proto::tfplugin6::apply_resource_change::{Request, Response};

pub(super) async fn handle(shared: &Shared, request: Request) -> Response {
    // Before anything was done, the prior state is still the truth.
    let failed = |d: Diagnostic| Response {
        new_state: request.prior_state.clone(),
        private: request.planned_private.clone(),
        diagnostics: to_proto(&[d]),
    };
    let composite = match shared.composite(&request.type_name) {
        Ok(c) => c,
        Err(d) => return failed(d),
    };
    let ty = composite.value_type();
    let decoded = decode(ty, request.prior_state.as_ref(), "prior state")
        .and_then(|prior| Ok((prior, decode(ty, request.planned_state.as_ref(), "planned state")?)));
    let (prior, planned) = match decoded {
        Ok(v) => v,
        Err(d) => return failed(d),
    };
    let configured = match shared.require_configured() {
        Ok(c) => c,
        Err(d) => return failed(d),
    };
    let out = composite
        .apply(
            &env(&configured, &shared.cancel),
            &prior,
            &planned,
            &request.planned_private,
        )
        .await;
    let mut diagnostics = out.diagnostics;
    let new_state = match encode(ty, &out.new_state) {
        Ok(v) => Some(v),
        Err(d) => {
            diagnostics.push(d);
            request.prior_state.clone()
        }
    };
    Response {
        new_state,
        private: out.private,
        diagnostics: to_proto(&diagnostics),
    }
}
