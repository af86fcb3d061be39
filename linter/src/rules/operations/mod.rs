//! Rules of the operational excellence pillar.

pub mod alb_without_access_logs;
pub mod api_without_access_logs;
pub mod dlq_without_alarm;
pub mod invalid_suppression;
pub mod lambda_without_tracing;

use super::Rule;

pub const RULES: &[&dyn Rule] = &[
    &api_without_access_logs::ApiWithoutAccessLogs,
    &dlq_without_alarm::DlqWithoutAlarm,
    &lambda_without_tracing::LambdaWithoutTracing,
    &alb_without_access_logs::AlbWithoutAccessLogs,
    &invalid_suppression::InvalidSuppression,
];
