//! ValidateResourceConfig: the kind's configuration errors, each on its attribute.

use super::{Shared, decode};
use crate::diagnostics::to_proto;
use crate::proto::tfplugin6::validate_resource_config::{Request, Response};

pub(super) async fn handle(shared: &Shared, request: Request) -> Response {
    let diagnostics = match shared
        .composite(&request.type_name)
        .and_then(|c| decode(c.value_type(), request.config.as_ref(), "resource configuration").map(|v| (c, v)))
    {
        Ok((composite, config)) => composite.validate(&config),
        Err(d) => vec![d],
    };
    Response {
        diagnostics: to_proto(&diagnostics),
    }
}
