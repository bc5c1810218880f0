//! SYN codes. Syntax and structure: emitted while parsing, resolving includes and validating against the directive table.
//! They are rules here so they have docs, `explain` and fixtures like every other code.

mod syn001_syntax_error;
mod syn002_unknown_directive;
mod syn003_not_allowed_here;
mod syn004_invalid_argument_count;
mod syn005_invalid_flag_value;
mod syn006_duplicate_directive;
mod syn007_block_mismatch;
mod syn010_include_unreadable;
mod syn011_include_cycle;

pub use syn001_syntax_error::SyntaxError;
pub use syn002_unknown_directive::UnknownDirective;
pub use syn003_not_allowed_here::NotAllowedHere;
pub use syn004_invalid_argument_count::InvalidArgumentCount;
pub use syn005_invalid_flag_value::InvalidFlagValue;
pub use syn006_duplicate_directive::DuplicateDirective;
pub use syn007_block_mismatch::BlockMismatch;
pub use syn010_include_unreadable::IncludeUnreadable;
pub use syn011_include_cycle::IncludeCycle;

use super::Rule;

/// Every SYN code, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &SyntaxError,
        &UnknownDirective,
        &NotAllowedHere,
        &InvalidArgumentCount,
        &InvalidFlagValue,
        &DuplicateDirective,
        &BlockMismatch,
        &IncludeUnreadable,
        &IncludeCycle,
    ]
}
