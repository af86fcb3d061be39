//! Rules of the security pillar.

use super::Rule;

pub const RULES: &[&dyn Rule] = &[];
