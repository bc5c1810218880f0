//! CRT rules.

use super::Rule;

/// Every CRT rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![]
}
