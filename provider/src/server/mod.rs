//! `tfplugin6.Provider`: one file per RPC, each converting the request to typed values,
//! delegating (to `provider_config` or `resources`), and converting the answer back.
//! Every problem a user can fix is a diagnostic; the RPCs never fail at the gRPC level.

mod apply_resource_change;
mod configure_provider;
mod get_provider_schema;
mod import_resource_state;
mod plan_resource_change;
mod read_data_source;
mod read_resource;
mod stop_provider;
mod upgrade_resource_state;
mod validate_data_resource_config;
mod validate_provider_config;
mod validate_resource_config;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use wellarch_blueprints::Kind;

use crate::diagnostics::Diagnostic;
use crate::plugin::log;
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider;
use crate::provider_config::{Configured, LintSettings};
use crate::resources::{Composite, Env};
use crate::tfvalue::{Type, Value, json, msgpack};

/// The provider's state, shared by concurrent RPCs.
pub struct Shared {
    composites: Vec<Composite<'static>>,
    provider_type: Type,
    configured: RwLock<Option<Arc<Configured>>>,
    /// Cancelled by StopProvider; handed to the orchestrator with every operation.
    cancel: CancellationToken,
}

impl Shared {
    /// A provider serving `kinds`.
    pub fn new(kinds: Vec<Kind>) -> Self {
        // Kinds live as long as the process; leaking them once lets the composites borrow them.
        let kinds: &'static [Kind] = Box::leak(kinds.into_boxed_slice());
        Shared {
            composites: kinds.iter().map(Composite::new).collect(),
            provider_type: crate::schema::implied_type(&crate::provider_config::schema()),
            configured: RwLock::new(None),
            cancel: CancellationToken::new(),
        }
    }

    pub fn composites(&self) -> &[Composite<'static>] {
        &self.composites
    }

    /// The composite for `type_name`, or the diagnostic for an unknown type.
    fn composite(&self, type_name: &str) -> Result<&Composite<'static>, Diagnostic> {
        self.composites
            .iter()
            .find(|c| c.type_name() == type_name)
            .ok_or_else(|| {
                Diagnostic::error(
                    "Unknown resource type",
                    format!("This provider has no resource type {type_name:?}."),
                )
            })
    }

    fn configured(&self) -> Option<Arc<Configured>> {
        self.configured.read().ok().and_then(|c| c.clone())
    }

    fn set_configured(&self, configured: Configured) {
        if let Ok(mut slot) = self.configured.write() {
            *slot = Some(Arc::new(configured));
        }
    }

    /// The configured provider, or the diagnostic for calls that need AWS before
    /// ConfigureProvider (Terraform never does that).
    fn require_configured(&self) -> Result<Arc<Configured>, Diagnostic> {
        self.configured().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "Terraform called this operation before configuring the provider.",
            )
        })
    }

    /// The provider's `default_tags` (none before ConfigureProvider).
    fn default_tags(&self) -> BTreeMap<String, String> {
        self.configured().map(|c| c.default_tags.clone()).unwrap_or_default()
    }

    /// Plan-time lint settings (defaults when the provider block was not read yet).
    fn lint(&self) -> LintSettings {
        self.configured().map(|c| c.lint.clone()).unwrap_or_default()
    }
}

fn env<'a>(configured: &'a Configured, cancel: &'a CancellationToken) -> Env<'a> {
    Env {
        aws: &configured.env,
        default_tags: &configured.default_tags,
        cancel,
    }
}

/// A `DynamicValue` from Terraform as a value of type `ty`; absent means null.
fn decode(ty: &Type, value: Option<&pb::DynamicValue>, what: &str) -> Result<Value, Diagnostic> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let decoded = if !value.msgpack.is_empty() {
        msgpack::decode(ty, &value.msgpack).map_err(|e| e.to_string())
    } else if !value.json.is_empty() {
        json::decode(ty, &value.json, json::Extra::Reject).map_err(|e| e.to_string())
    } else {
        Ok(Value::Null)
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            "Unreadable value from Terraform",
            format!("The {what} does not match this provider's schema: {e}"),
        )
    })
}

/// A value for Terraform, always msgpack.
fn encode(ty: &Type, value: &Value) -> Result<pb::DynamicValue, Diagnostic> {
    msgpack::encode(ty, value)
        .map(|bytes| pb::DynamicValue {
            msgpack: bytes,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced an invalid value",
                format!("This is a bug in terraform-provider-wellarch: {e}"),
            )
        })
}

/// The `tfplugin6.Provider` service.
#[derive(Clone)]
pub struct ProviderService {
    shared: Arc<Shared>,
}

impl ProviderService {
    pub fn new(kinds: Vec<Kind>) -> Self {
        ProviderService {
            shared: Arc::new(Shared::new(kinds)),
        }
    }

    pub fn shared(&self) -> &Shared {
        &self.shared
    }
}

/// Answers an RPC: logs it, runs the handler, wraps the response.
macro_rules! rpc {
    ($self:ident, $request:ident, $module:ident, $name:literal) => {{
        log::debug(concat!("RPC ", $name));
        Ok(Response::new(
            $module::handle(&$self.shared, $request.into_inner()).await,
        ))
    }};
}

#[tonic::async_trait]
impl Provider for ProviderService {
    async fn get_provider_schema(
        &self,
        request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        rpc!(self, request, get_provider_schema, "GetProviderSchema")
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        rpc!(self, request, validate_provider_config, "ValidateProviderConfig")
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        rpc!(self, request, validate_resource_config, "ValidateResourceConfig")
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        rpc!(
            self,
            request,
            validate_data_resource_config,
            "ValidateDataResourceConfig"
        )
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        rpc!(self, request, upgrade_resource_state, "UpgradeResourceState")
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        rpc!(self, request, configure_provider, "ConfigureProvider")
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        rpc!(self, request, read_resource, "ReadResource")
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        rpc!(self, request, plan_resource_change, "PlanResourceChange")
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        rpc!(self, request, apply_resource_change, "ApplyResourceChange")
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        rpc!(self, request, import_resource_state, "ImportResourceState")
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        rpc!(self, request, read_data_source, "ReadDataSource")
    }

    async fn stop_provider(
        &self,
        request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        rpc!(self, request, stop_provider, "StopProvider")
    }
}

#[cfg(test)]
mod tests;
