//! GetProviderSchema: the provider block and one resource type per composite kind.

use super::Shared;
use crate::proto::tfplugin6::get_provider_schema::{Request, Response};
use crate::schema::to_proto;

pub(super) async fn handle(shared: &Shared, _request: Request) -> Response {
    Response {
        provider: Some(to_proto(&crate::provider_config::schema())),
        resource_schemas: shared
            .composites()
            .iter()
            .map(|c| (c.type_name().to_string(), to_proto(c.schema())))
            .collect(),
        data_source_schemas: Default::default(),
        diagnostics: Vec::new(),
        provider_meta: None,
    }
}
