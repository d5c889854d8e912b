//! The SQLCipher library under Satchel's store and the hub's SQLite storage.
//!
//! rusqlite and sqlx declare the SQLite API through libsqlite3-sys built with its `in_gecko`
//! feature: the declarations only, no library. This crate's build script compiles the
//! SQLCipher amalgamation from `sqlcipher-src` with our own crypto provider, the RustCrypto
//! crates behind SQLCipher's provider interface ([`provider`]; CommonCrypto on Apple
//! platforms, LibTomCrypt on 32-bit ARM), and links it into whatever depends on it. A crate that
//! opens SQLite databases names it once (`use satchel_sqlcipher as _;`) so that it is linked.
//!
//! What was left out of SQLite: `docs/decisions.md` (D59); the provider: D65.

#[cfg(not(any(target_vendor = "apple", target_arch = "arm")))]
pub mod provider;

/// The SQLCipher release compiled in, as `PRAGMA cipher_version` reports it.
pub const SQLCIPHER_VERSION: &str = env!("SATCHEL_SQLCIPHER_VERSION");

/// The SQLite release that SQLCipher release is built on, as `sqlite_version()` reports it.
pub const SQLITE_VERSION: &str = env!("SATCHEL_SQLITE_VERSION");

/// The crypto provider compiled in, as `PRAGMA cipher_provider` reports it.
pub const CRYPTO_PROVIDER: &str = env!("SATCHEL_SQLCIPHER_PROVIDER");
