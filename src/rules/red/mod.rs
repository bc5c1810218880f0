//! RED rules.

use super::Rule;

/// Every RED rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![]
}
