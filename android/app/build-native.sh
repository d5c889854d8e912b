#!/usr/bin/env bash
# Builds libsatchel_ffi.so for the app's ABIs with cargo-ndk (the `ffi` profile: small,
# stripped) into android/app/build/jniLibs, and regenerates the Kotlin bindings.
# Needs the Android NDK (ANDROID_NDK_HOME) and `cargo install cargo-ndk`; run on a machine with
# Android Studio. API 26 is the app's minSdk. bindings/build.rs packs the library's relative
# relocations (`--pack-dyn-relocs=android`, loaded since API 23); satchel-sqlcipher builds
# SQLCipher with its page crypto from the RustCrypto crates, and .cargo/config.toml turns on
# their ARMv8 AES for arm64-v8a; armeabi-v7a keeps LibTomCrypt (D65). scripts/size-budget.sh
# measures the result on this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
cargo ndk --platform 26 -t arm64-v8a -t armeabi-v7a -t x86_64 -o android/app/build/jniLibs \
  build --locked -p satchel-ffi --profile ffi
./bindings/generate.sh
ls -l android/app/build/jniLibs/*/libsatchel_ffi.so
