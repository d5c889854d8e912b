#!/usr/bin/env bash
# Builds the native library and writes the Kotlin, Swift and Python bindings generated from it
# into bindings/generated/ (git-ignored):
#   generated/libsatchel_ffi.so   the library
#   generated/kotlin/             org/satchel/ffi/satchel_ffi.kt
#   generated/swift/              SatchelFFI.swift + include/{satchel_ffiFFI.h,module.modulemap}
#   generated/python/             satchel_ffi.py + the library beside it
# SATCHEL_FFI_PROFILE picks the cargo profile: dev (default, fast to build), release, or ffi
# (the small shipping build). SATCHEL_FFI_FEATURES adds cargo features of satchel-ffi: the
# binding tests use `testing` (the panic probe); the apps' builds never do.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${SATCHEL_FFI_PROFILE:-dev}"
case "$profile" in dev) target_dir=target/debug ;; *) target_dir="target/$profile" ;; esac

features="${SATCHEL_FFI_FEATURES:-}"
cargo build --locked -p satchel-ffi --profile "$profile" ${features:+--features "$features"}
cargo build --locked -q -p uniffi-bindgen
lib="$target_dir/libsatchel_ffi.so"
bindgen=target/debug/uniffi-bindgen
out=bindings/generated
rm -rf "$out"
mkdir -p "$out/kotlin" "$out/swift/include" "$out/python"
cp "$lib" "$out/"

"$bindgen" generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format
"$bindgen" generate --library "$lib" --language python --out-dir "$out/python" --no-format
cp "$lib" "$out/python/"
"$bindgen" generate --library "$lib" --language swift --out-dir "$out/swift/gen" --no-format
mv "$out"/swift/gen/*.swift "$out/swift/"
mv "$out"/swift/gen/*.h "$out/swift/include/"
# SwiftPM and clang look for this exact name in an include directory.
mv "$out"/swift/gen/*.modulemap "$out/swift/include/module.modulemap"
rm -rf "$out/swift/gen"
echo "bindings written to $out ($(du -h "$lib" | cut -f1) library, profile $profile)"
