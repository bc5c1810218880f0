//! All integration tests build into one binary (ripgrep's layout): shared
//! helpers in `util`, one module per area.

mod certs;
mod util;

mod cli;
mod corpus;
mod robustness;
mod rules;
