//! Link settings of the shipped library: its relative relocations packed, which takes about a
//! megabyte off each ABI's copy (`scripts/size-budget.sh`, D59).
//!
//! - Android: the `android` packing (APS2), which every Android since 6.0 loads; the app's
//!   minSdk stays 26 (RELR would save a little more but needs API 28, or 30 for its
//!   standard tags).
//! - Linux (the binding tests and the size budget): RELR, which glibc 2.36 and binutils 2.38
//!   and later understand (Debian 12 onwards).
//! - Apple platforms: nothing to do; ld64's chained fix-ups are already compact.

use std::env;

fn main() {
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env_ = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "android" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--pack-dyn-relocs=android");
    } else if os == "linux" && env_ == "gnu" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
