//! Rules of the performance efficiency pillar.

pub mod api_without_throttling;
pub mod lambda_default_memory;
pub mod queue_consumer_without_reserved_concurrency;

use super::Rule;

pub const RULES: &[&dyn Rule] = &[
    &api_without_throttling::ApiWithoutThrottling,
    &queue_consumer_without_reserved_concurrency::QueueConsumerWithoutReservedConcurrency,
    &lambda_default_memory::LambdaDefaultMemory,
];
