//! PRX rules.

use super::Rule;

/// Every PRX rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![]
}
