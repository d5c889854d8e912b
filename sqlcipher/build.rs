//! Compiles SQLCipher (the `sqlcipher-src` amalgamation) and its crypto provider into two static
//! libraries, linked at the end of the final link so that rusqlite's and sqlx's calls resolve
//! whatever order the crates come in.
//!
//! Compared with libsqlite3-sys's own SQLCipher build, what changes is the crypto provider
//! (LibTomCrypt in place of the vendored OpenSSL it used on every target; CommonCrypto on Apple
//! platforms) and
//! the SQLite extensions nobody here calls: FTS3, FTS5, R*Tree, DBSTAT, STAT4 and SOUNDEX are
//! left out. `scripts/size-budget.sh` measures what that leaves.

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
    let src = sqlcipher_src::source_dir();
    let ltc_include = src.join(sqlcipher_src::LIBTOMCRYPT_INCLUDE_DIR);

    let mut sqlite = cc::Build::new();
    sqlite.file(src.join(sqlcipher_src::SOURCE_FILE)).warnings(false).cargo_metadata(false);
    for (name, value) in SQLITE_DEFINES {
        sqlite.define(name, *value);
    }
    // Temporary tables and indices live in memory: always on Android (there is no temp
    // directory SQLite can find there, as libsqlite3-sys notes), by default elsewhere (the
    // store also sets `temp_store = MEMORY`).
    sqlite.define("SQLITE_TEMP_STORE", if target_os == "android" { "3" } else { "2" });
    let provider = if apple {
        sqlite.define("SQLCIPHER_CRYPTO_CC", None);
        "commoncrypto"
    } else {
        sqlite.define("SQLCIPHER_CRYPTO_LIBTOMCRYPT", None).include(&ltc_include);
        "libtomcrypt"
    };
    sqlite.compile("satchel_sqlcipher");

    if !apple {
        // LibTomCrypt as upstream builds it: each file its own translation unit, so that the
        // linker takes only the objects SQLCipher reaches (AES, SHA-1/256/512, HMAC, PBKDF2,
        // Fortuna seeded from the system's random source).
        let mut ltc = cc::Build::new();
        ltc.warnings(false).cargo_metadata(false).define("LTC_SOURCE", None).include(&ltc_include);
        for file in sqlcipher_src::LIBTOMCRYPT_SOURCES {
            ltc.file(src.join(file));
        }
        ltc.compile("satchel_tomcrypt");
    }

    // Elsewhere than Apple platforms, `-bundle`: the archives stay out of this crate's rlib and
    // are passed at the end of the final link, after every crate that calls into them (GNU ld
    // and lld take an archive's objects only for what is undefined when they reach it). On
    // Apple platforms they are bundled, so that the staticlib the iOS app links carries
    // SQLCipher (ld64 looks back through archives, so order does not matter there).
    println!("cargo:rustc-link-search=native={out_dir}");
    if apple {
        println!("cargo:rustc-link-lib=static=satchel_sqlcipher");
        println!("cargo:rustc-link-lib=framework=Security");
        println!("cargo:rustc-link-lib=framework=CoreFoundation");
    } else {
        println!("cargo:rustc-link-lib=static:-bundle=satchel_sqlcipher");
        println!("cargo:rustc-link-lib=static:-bundle=satchel_tomcrypt");
    }

    println!("cargo:rustc-env=SATCHEL_SQLCIPHER_VERSION={}", sqlcipher_src::SQLCIPHER_VERSION);
    println!("cargo:rustc-env=SATCHEL_SQLITE_VERSION={}", sqlcipher_src::SQLITE_VERSION);
    println!("cargo:rustc-env=SATCHEL_SQLCIPHER_PROVIDER={provider}");
    println!("cargo:rerun-if-changed=build.rs");
}
