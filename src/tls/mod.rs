//! TLS facts shared by the static rules and the live probe: OpenSSL cipher
//! strings, certificates, private keys and DH parameters.

pub mod cert;
pub mod cipher_string;
pub mod ciphers;
pub mod dhparam;
pub mod key;
