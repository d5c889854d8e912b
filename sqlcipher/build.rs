//! Compiles SQLCipher (the `sqlcipher-src` amalgamation) into a static library, linked at the
//! end of the final link so that rusqlite's and sqlx's calls resolve whatever order the crates
//! come in.
//!
//! Compared with libsqlite3-sys's own SQLCipher build, what changes is the crypto provider
//! (ours, `src/provider.c` over the RustCrypto crates in `src/provider.rs`, in place of the
//! vendored OpenSSL it used on every target; CommonCrypto on Apple platforms, LibTomCrypt on
//! 32-bit ARM) and the SQLite
//! extensions nobody here calls: FTS3, FTS5, R*Tree, DBSTAT, STAT4 and SOUNDEX are left out.
//! `scripts/size-budget.sh` measures what that leaves.

use std::env;

/// SQLite options, as libsqlite3-sys sets them for rusqlite, less the unused extensions.
/// Column metadata and unlock-notify stay: sqlx (the hub's SQLite storage) calls them.
const SQLITE_DEFINES: &[(&str, Option<&str>)] = &[
    ("SQLITE_CORE", None),
    ("SQLITE_DEFAULT_FOREIGN_KEYS", Some("1")),
    ("SQLITE_ENABLE_API_ARMOR", None),
    ("SQLITE_ENABLE_COLUMN_METADATA", None),
    ("SQLITE_ENABLE_MEMORY_MANAGEMENT", None),
    ("SQLITE_ENABLE_UNLOCK_NOTIFY", None),
    ("SQLITE_THREADSAFE", Some("1")),
    ("SQLITE_USE_URI", None),
    ("HAVE_USLEEP", Some("1")),
    ("HAVE_ISNAN", None),
    ("HAVE_LOCALTIME_R", None),
    ("_POSIX_THREAD_SAFE_FUNCTIONS", None),
    // SQLCipher: the codec, and its start-up and shut-down hooks (required since 4.7). The
    // start-up hook runs after SQLite counts itself started, so the first keyed open waits for
    // it (`schema::open`, core/tests/first_open.rs).
    ("SQLITE_HAS_CODEC", None),
    ("SQLITE_EXTRA_INIT", Some("sqlcipher_extra_init")),
    ("SQLITE_EXTRA_SHUTDOWN", Some("sqlcipher_extra_shutdown")),
];

fn main() {
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let apple = env::var("CARGO_CFG_TARGET_VENDOR").is_ok_and(|v| v == "apple");
    let arm32 = env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "arm");
    let src = sqlcipher_src::source_dir();

    let mut sqlite = cc::Build::new();
    sqlite.warnings(false).cargo_metadata(false);
    for (name, value) in SQLITE_DEFINES {
        sqlite.define(name, *value);
    }
    // Temporary tables and indices live in memory: always on Android (there is no temp
    // directory SQLite can find there, as libsqlite3-sys notes), by default elsewhere (the
    // store also sets `temp_store = MEMORY`).
    sqlite.define("SQLITE_TEMP_STORE", if target_os == "android" { "3" } else { "2" });
    // The crypto provider (D65): CommonCrypto on Apple platforms; LibTomCrypt on 32-bit ARM,
    // where the `aes` crate has no AES instructions to use and its constant-time software AES
    // makes writes slower than LibTomCrypt's tables; ours over the RustCrypto crates elsewhere.
    let provider = if apple {
        sqlite.file(src.join(sqlcipher_src::SOURCE_FILE)).define("SQLCIPHER_CRYPTO_CC", None);
        "commoncrypto"
    } else if arm32 {
        sqlite
            .file(src.join(sqlcipher_src::SOURCE_FILE))
            .define("SQLCIPHER_CRYPTO_LIBTOMCRYPT", None)
            .include(src.join(sqlcipher_src::LIBTOMCRYPT_INCLUDE_DIR));
        "libtomcrypt"
    } else {
        // The amalgamation and our provider as one translation unit (src/provider.c includes
        // it), the provider named as SQLCipher's custom one.
        sqlite
            .file("src/provider.c")
            .include(src)
            .define("SQLCIPHER_CRYPTO_CUSTOM", Some("satchel_provider_setup"));
        "rustcrypto"
    };
    sqlite.compile("satchel_sqlcipher");

    if provider == "libtomcrypt" {
        // LibTomCrypt as upstream builds it: each file its own translation unit, so that the
        // linker takes only the objects SQLCipher reaches (AES, SHA-1/256/512, HMAC, PBKDF2,
        // Fortuna seeded from the system's random source).
        let mut ltc = cc::Build::new();
        ltc.warnings(false)
            .cargo_metadata(false)
            .define("LTC_SOURCE", None)
            .include(src.join(sqlcipher_src::LIBTOMCRYPT_INCLUDE_DIR));
        for file in sqlcipher_src::LIBTOMCRYPT_SOURCES {
            ltc.file(src.join(file));
        }
        ltc.compile("satchel_tomcrypt");
    }

    // Elsewhere than Apple platforms, `-bundle`: the archive stays out of this crate's rlib and
    // is passed at the end of the final link, after every crate that calls into it (GNU ld and
    // lld take an archive's objects only for what is undefined when they reach it; the
    // provider's Rust functions it calls are this crate's exported symbols, which rustc keeps).
    // On Apple platforms it is bundled, so that the staticlib the iOS app links carries
    // SQLCipher (ld64 looks back through archives, so order does not matter there).
    println!("cargo:rustc-link-search=native={out_dir}");
    if apple {
        println!("cargo:rustc-link-lib=static=satchel_sqlcipher");
        println!("cargo:rustc-link-lib=framework=Security");
        println!("cargo:rustc-link-lib=framework=CoreFoundation");
    } else {
        println!("cargo:rustc-link-lib=static:-bundle=satchel_sqlcipher");
        if provider == "libtomcrypt" {
            println!("cargo:rustc-link-lib=static:-bundle=satchel_tomcrypt");
        }
    }

    println!("cargo:rustc-env=SATCHEL_SQLCIPHER_VERSION={}", sqlcipher_src::SQLCIPHER_VERSION);
    println!("cargo:rustc-env=SATCHEL_SQLITE_VERSION={}", sqlcipher_src::SQLITE_VERSION);
    println!("cargo:rustc-env=SATCHEL_SQLCIPHER_PROVIDER={provider}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/provider.c");
}
