//! ReadResource: refreshes a composite's children; vanished ones and changed attributes
//! become `drift`, a composite with no child left becomes null (gone).

use super::{Shared, decode, encode, env};
use crate::diagnostics::{Diagnostic, to_proto};
use crate::proto::tfplugin6::read_resource::{Request, Response};

pub(super) async fn handle(shared: &Shared, request: Request) -> Response {
    let failed = |d: Diagnostic| Response {
        new_state: request.current_state.clone(),
        diagnostics: to_proto(&[d]),
        private: request.private.clone(),
    };
    let composite = match shared.composite(&request.type_name) {
        Ok(c) => c,
        Err(d) => return failed(d),
    };
    let current = match decode(composite.value_type(), request.current_state.as_ref(), "current state") {
        Ok(v) => v,
        Err(d) => return failed(d),
    };
    let configured = match shared.require_configured() {
        Ok(c) => c,
        Err(d) => return failed(d),
    };
    let out = composite
        .read(&env(&configured, &shared.cancel), &current, &request.private)
        .await;
    let mut diagnostics = out.diagnostics;
    let new_state = match encode(composite.value_type(), &out.new_state) {
        Ok(v) => Some(v),
        Err(d) => {
            diagnostics.push(d);
            request.current_state.clone()
        }
    };
    Response {
        new_state,
        diagnostics: to_proto(&diagnostics),
        private: out.private,
    }
}
