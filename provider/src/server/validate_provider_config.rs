//! ValidateProviderConfig: bad regions, endpoint URLs, tag keys and rule codes, each on
//! its attribute. Unknown values pass (they are checked again at ConfigureProvider).

use super::{Shared, decode};
use crate::diagnostics::to_proto;
use crate::proto::tfplugin6::validate_provider_config::{Request, Response};

pub(super) async fn handle(shared: &Shared, request: Request) -> Response {
    let diagnostics = match decode(&shared.provider_type, request.config.as_ref(), "provider configuration") {
        Ok(config) => crate::provider_config::parse(&config).1,
        Err(d) => vec![d],
    };
    Response {
        diagnostics: to_proto(&diagnostics),
    }
}
