//! terraform-provider-wellarch: Well-Architected composite AWS architectures as Terraform
//! resources, over plugin protocol 6.

pub mod apply;
pub mod aws;
