//! Rules of the reliability pillar.

pub mod queue_without_dlq;

use super::Rule;

pub const RULES: &[&dyn Rule] = &[&queue_without_dlq::QueueWithoutDlq];
