//! All integration tests build into one binary (ripgrep's layout): shared
//! helpers in `util`, one module per area.

mod certs;
mod util;

mod ciphers_openssl;
mod cli;
mod corpus;
mod docs;
mod gixy;
mod guide;
mod probe;
mod probe_scan;
mod robustness;
mod rules;
mod servers;
mod verify;
