//! Reading files: discovery, native HCL, Terraform JSON syntax and plan JSON.

pub mod config;
pub mod hcl;
pub mod plan;
pub mod source;
pub mod tfjson;
pub mod walk;
