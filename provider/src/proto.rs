//! Code generated from `proto/` by `build.rs`.

#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// Terraform plugin protocol 6.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's own services (controller, stdio).
pub mod go_plugin {
    tonic::include_proto!("plugin");
}

/// The standard gRPC health service.
pub mod health {
    tonic::include_proto!("grpc.health.v1");
}
