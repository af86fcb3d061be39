//! ConfigureProvider: the AWS configuration (standard chain + region/profile/endpoints),
//! default tags and lint settings for every later call. No AWS call is made here.

use super::{Shared, decode};
use crate::diagnostics::{has_errors, to_proto};
use crate::proto::tfplugin6::configure_provider::{Request, Response};
use crate::provider_config::{Configured, aws_env, parse};

pub(super) async fn handle(shared: &Shared, request: Request) -> Response {
    let config = match decode(&shared.provider_type, request.config.as_ref(), "provider configuration") {
        Ok(c) => c,
        Err(d) => {
            return Response {
                diagnostics: to_proto(&[d]),
            };
        }
    };
    let (settings, mut diagnostics) = parse(&config);
    if !has_errors(&diagnostics) {
        match aws_env(&settings).await {
            Ok(env) => shared.set_configured(Configured {
                env,
                default_tags: settings.default_tags,
                lint: settings.lint,
            }),
            Err(d) => diagnostics.push(d),
        }
    }
    Response {
        diagnostics: to_proto(&diagnostics),
    }
}
