//! KEY rules.

use super::Rule;

/// Every KEY rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![]
}
