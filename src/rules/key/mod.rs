//! KEY rules: the private keys `ssl_certificate_key` names and the
//! `ssl_password_file` that opens them — loadable, unattended, private.
//! Which files the servers name is shared with CRT ([`super::crt::files`]).

mod key001_key_file_permissions;
mod key002_encrypted_key_without_password_file;
mod key003_password_file_permissions;
mod key004_key_unreadable;
mod key005_password_file_does_not_open_key;

pub use key001_key_file_permissions::KeyFilePermissions;
pub use key002_encrypted_key_without_password_file::EncryptedKeyWithoutPasswordFile;
pub use key003_password_file_permissions::PasswordFilePermissions;
pub use key004_key_unreadable::KeyUnreadable;
pub use key005_password_file_does_not_open_key::PasswordFileDoesNotOpenKey;

use super::Rule;

/// Every KEY rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &KeyFilePermissions,
        &EncryptedKeyWithoutPasswordFile,
        &PasswordFilePermissions,
        &KeyUnreadable,
        &PasswordFileDoesNotOpenKey,
    ]
}
