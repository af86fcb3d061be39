//! Rules of the sustainability pillar.

use super::Rule;

pub const RULES: &[&dyn Rule] = &[];
