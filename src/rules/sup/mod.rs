//! SUP codes. Suppression comments: emitted when suppressions are applied.
//! They are rules here so they have docs, `explain` and fixtures like every other code.

mod sup001_unused_suppression;
mod sup002_unknown_suppression_code;

pub use sup001_unused_suppression::UnusedSuppression;
pub use sup002_unknown_suppression_code::UnknownSuppressionCode;

use super::Rule;

/// Every SUP code, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![&UnusedSuppression, &UnknownSuppressionCode]
}
