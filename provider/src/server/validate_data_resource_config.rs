//! ValidateDataResourceConfig: this provider has no data sources.

use super::Shared;
use crate::diagnostics::{Diagnostic, to_proto};
use crate::proto::tfplugin6::validate_data_resource_config::{Request, Response};

pub(super) async fn handle(_shared: &Shared, request: Request) -> Response {
    Response {
        diagnostics: to_proto(&[no_data_source(&request.type_name)]),
    }
}

pub(super) fn no_data_source(type_name: &str) -> Diagnostic {
    Diagnostic::error(
        "Unknown data source",
        format!("This provider has no data sources; {type_name:?} does not exist."),
    )
}
