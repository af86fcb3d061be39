//! terraform-provider-wellarch: Well-Architected composite AWS architectures as Terraform
//! resources, over plugin protocol 6.
//!
//! The layers, outside in: `plugin` (go-plugin handshake, AutoMTLS, side services) →
//! `server` (one file per RPC: convert → delegate → convert, with `tfvalue` for values and
//! `diagnostics` for problems) → `provider_config` and `resources` (composite behaviour on
//! top of `wellarch_blueprints` kinds) → `apply` (the orchestrator) → `aws` (drivers).

pub mod apply;
pub mod aws;
pub mod diagnostics;
pub mod plugin;
pub mod proto;
pub mod provider_config;
pub mod resources;
pub mod schema;
pub mod server;
#[cfg(test)]
pub mod testing;
pub mod tfvalue;
