//! Size of the Diffie-Hellman group in the file `ssl_dhparam` names: a prime under 2048 bits
//! makes DHE key exchange breakable (Logjam), so rules need the prime's bit length.

use std::fmt;
use std::io::Cursor;

use pkcs8::der::asn1::{AnyRef, UintRef};
use pkcs8::der::{Decode, SliceReader, Tag, Tagged};
use x509_parser::pem::Pem;

use crate::tls::cert::uint_bits;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DhParamError {
    /// Neither `DH PARAMETERS` nor `X9.42 DH PARAMETERS` is in the file.
    NoDhParameters,
    MalformedPem(String),
    Malformed(String),
}

impl fmt::Display for DhParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DhParamError::NoDhParameters => f.write_str(
                "no PEM DH parameters found (expected BEGIN DH PARAMETERS or BEGIN X9.42 DH \
                 PARAMETERS)",
            ),
            DhParamError::MalformedPem(reason) => write!(f, "malformed PEM: {reason}"),
            DhParamError::Malformed(reason) => write!(f, "invalid DH parameters: {reason}"),
        }
    }
}

impl std::error::Error for DhParamError {}

/// Bit length of the prime in the first DH parameter block of a PEM file.
///
/// Both encodings OpenSSL writes start with the prime, which is all that is read:
/// PKCS#3 `DHParameter ::= SEQUENCE { prime, base, privateValueLength OPTIONAL }` and
/// X9.42 `DomainParameters ::= SEQUENCE { p, g, q, j OPTIONAL, validationParms OPTIONAL }`
/// (what `openssl dhparam -dsaparam` writes).
pub fn dh_prime_bits(pem: &[u8]) -> Result<u32, DhParamError> {
    for block in Pem::iter_from_reader(Cursor::new(pem)) {
        let block = block.map_err(|e| DhParamError::MalformedPem(e.to_string()))?;
        if matches!(block.label.as_str(), "DH PARAMETERS" | "X9.42 DH PARAMETERS") {
            return prime_bits_from_der(&block.contents).map_err(DhParamError::Malformed);
        }
    }
    Err(DhParamError::NoDhParameters)
}

fn prime_bits_from_der(der: &[u8]) -> Result<u32, String> {
    let seq = AnyRef::from_der(der).map_err(|e| e.to_string())?;
    if seq.tag() != Tag::Sequence {
        return Err(format!("expected a SEQUENCE, found {}", seq.tag()));
    }
    let mut fields = SliceReader::new(seq.value()).map_err(|e| e.to_string())?;
    let prime = UintRef::decode(&mut fields).map_err(|e| format!("prime: {e}"))?;
    Ok(uint_bits(prime.as_bytes()))
}
