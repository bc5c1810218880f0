//! From files to a validated configuration: loading and includes, the
//! directive table, context and argument validation, and the Site model.

pub mod directives;
pub mod dump;
pub mod include;
pub mod load;
pub mod site;
pub mod validate;

pub use directives::{Context, DirectiveTable};
pub use load::{load, Config, LoadOptions, Root};
