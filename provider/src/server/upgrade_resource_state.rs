//! UpgradeResourceState: stored state JSON re-encoded for the current schema. The schema
//! is at version 0, so upgrading means reading the JSON with the current type; attributes
//! a newer schema dropped are ignored, new ones start null.

use super::{Shared, encode};
use crate::diagnostics::{Diagnostic, to_proto};
use crate::proto::tfplugin6::upgrade_resource_state::{Request, Response};
use crate::tfvalue::json;

pub(super) async fn handle(shared: &Shared, request: Request) -> Response {
    let result = shared.composite(&request.type_name).and_then(|composite| {
        let raw = request.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            return Err(if raw.flatmap.is_empty() {
                Diagnostic::error("Empty stored state", "Terraform sent no stored state to upgrade.")
            } else {
                Diagnostic::error(
                    "Unsupported stored state",
                    "The stored state is in the legacy flatmap format, which this provider never wrote.",
                )
            });
        }
        let value = json::decode(composite.value_type(), &raw.json, json::Extra::Drop).map_err(|e| {
            Diagnostic::error(
                "Unreadable stored state",
                format!("The stored state of this {} cannot be read: {e}", request.type_name),
            )
        })?;
        encode(composite.value_type(), &value)
    });
    match result {
        Ok(state) => Response {
            upgraded_state: Some(state),
            diagnostics: Vec::new(),
        },
        Err(d) => Response {
            upgraded_state: None,
            diagnostics: to_proto(&[d]),
        },
    }
}
