#!/usr/bin/env bash
# Builds the native library for iOS devices and simulators (the `ffi` profile) and packs it
# with the generated C header into ios/build/SatchelFFI.xcframework. Needs a Mac with Xcode.
# On Apple targets satchel-sqlcipher builds SQLCipher on CommonCrypto (D59).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
  cargo build --locked -p satchel-ffi --profile ffi --target "$t"
done
./bindings/generate.sh
# SatchelKit compiles the generated Swift and its C header as source targets (as on Linux).
kit=ios/SatchelKit/Sources
rm -rf "$kit/SatchelFFI" "$kit/satchel_ffiFFI" && mkdir -p "$kit/SatchelFFI" "$kit/satchel_ffiFFI/include"
cp bindings/generated/swift/SatchelFFI.swift "$kit/SatchelFFI/"
cp bindings/generated/swift/include/* "$kit/satchel_ffiFFI/include/"
echo '/* the generated header is in include/ */' > "$kit/satchel_ffiFFI/empty.c"
out=ios/build
rm -rf "$out" && mkdir -p "$out/sim" "$out/headers"
cp bindings/generated/swift/include/* "$out/headers/"
lipo -create target/aarch64-apple-ios-sim/ffi/libsatchel_ffi.a target/x86_64-apple-ios/ffi/libsatchel_ffi.a \
  -output "$out/sim/libsatchel_ffi.a"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/ffi/libsatchel_ffi.a -headers "$out/headers" \
  -library "$out/sim/libsatchel_ffi.a" -headers "$out/headers" \
  -output "$out/SatchelFFI.xcframework"
echo "wrote $out/SatchelFFI.xcframework"
