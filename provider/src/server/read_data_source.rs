//! ReadDataSource: this provider has no data sources.

use super::Shared;
use super::validate_data_resource_config::no_data_source;
use crate::diagnostics::to_proto;
use crate::proto::tfplugin6::read_data_source::{Request, Response};

pub(super) async fn handle(_shared: &Shared, request: Request) -> Response {
    Response {
        state: None,
        diagnostics: to_proto(&[no_data_source(&request.type_name)]),
    }
}
