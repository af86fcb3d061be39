//! Rules of the cost pillar.

use super::Rule;

pub const RULES: &[&dyn Rule] = &[];
