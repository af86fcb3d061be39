//! Rules of the cost optimisation pillar.

pub mod ebs_gp2_volume;
pub mod log_group_without_retention;
pub mod s3_without_lifecycle;

use super::Rule;

pub const RULES: &[&dyn Rule] = &[
    &log_group_without_retention::LogGroupWithoutRetention,
    &s3_without_lifecycle::S3WithoutLifecycle,
    &ebs_gp2_volume::EbsGp2Volume,
];
