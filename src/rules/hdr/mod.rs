//! HDR rules.

use super::Rule;

/// Every HDR rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![]
}
