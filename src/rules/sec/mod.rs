//! SEC rules.

use super::Rule;

/// Every SEC rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![]
}
