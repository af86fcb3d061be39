//! Rules of the sustainability pillar.

pub mod dynamodb_provisioned_capacity;
pub mod lambda_not_arm64;
pub mod previous_generation_instance;

use super::Rule;

pub const RULES: &[&dyn Rule] = &[
    &lambda_not_arm64::LambdaNotArm64,
    &previous_generation_instance::PreviousGenerationInstance,
    &dynamodb_provisioned_capacity::DynamodbProvisionedCapacity,
];
