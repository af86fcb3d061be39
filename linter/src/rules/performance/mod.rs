//! Rules of the performance pillar.

use super::Rule;

pub const RULES: &[&dyn Rule] = &[];
