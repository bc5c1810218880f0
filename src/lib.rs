//! nginx-audit: lint nginx TLS reverse-proxy configurations against a
//! hardening guide, and prove on the wire what they promise.

pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod fsutil;
pub mod memory;
pub mod nginx_version;
pub mod parallel;
pub mod probe;
pub mod render;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod syntax;
pub mod timing;
pub mod tls;
