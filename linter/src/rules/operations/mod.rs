//! Rules of the operations pillar.

use super::Rule;

pub const RULES: &[&dyn Rule] = &[];
