//! nginx-audit: lint nginx TLS reverse-proxy configurations against a
//! hardening guide, and prove on the wire what they promise.

pub mod diag;
pub mod source;
pub mod syntax;
