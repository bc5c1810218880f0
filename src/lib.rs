//! nginx-audit: lint nginx TLS reverse-proxy configurations against a
//! hardening guide, and prove on the wire what they promise.

pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod fsutil;
pub mod render;
pub mod source;
pub mod syntax;
