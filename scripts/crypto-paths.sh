#!/usr/bin/env bash
# SQLCipher's page crypto on the code paths this machine does not take by itself (D65): the
# provider's known answers and satchel-sqlcipher's keyed-database tests,
#   1. built for arm64 (aarch64-unknown-linux-gnu, with `--cfg aes_armv8` from
#      .cargo/config.toml, as the Android build has it) and run under qemu-aarch64, whose CPU
#      has the ARMv8 AES and SHA-512 instructions: the phones' path;
#   2. built for 32-bit ARM (armv7-unknown-linux-gnueabihf) and run under qemu-arm: the
#      armeabi-v7a library's provider, LibTomCrypt;
#   3. built for this machine with the `aes` crate's software AES forced (`--cfg
#      aes_force_soft`): the path of arm64 CPUs without AES instructions.
# Each builds in its own target directory under target/, so the main build's cache stays.
# Needs gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, gcc-arm-linux-gnueabihf,
# libc6-dev-armhf-cross and qemu-user (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# The Rust standard library for a cross target comes from rustup's servers, which a machine
# that reaches only the package registries cannot fetch: that leg is then reported as not run,
# loudly, and the others still run.
have_target() {
  rustup target list --installed | grep -qx "$1" && return 0
  rustup target add "$1" && return 0
  echo "NOT RUN: the Rust target $1 could not be installed (rustup's servers unreachable?)" >&2
  return 1
}

# One target's tests, built with its cross C compiler and run by its user-mode QEMU.
emulated() { # TARGET GCC_PREFIX QEMU
  local target="$1" prefix="$2" qemu="$3" var
  have_target "$target" || return 0
  var="$(echo "$target" | tr 'a-z-' 'A-Z_')"
  env "CARGO_TARGET_${var}_LINKER=$prefix-gcc" "CARGO_TARGET_${var}_RUNNER=$qemu -L /usr/$prefix" \
    "CC_${target//-/_}=$prefix-gcc" CARGO_TARGET_DIR="target/crypto-${target%%-*}" \
    cargo test --locked -q -p satchel-sqlcipher --target "$target"
}

echo "-- arm64, emulated"
emulated aarch64-unknown-linux-gnu aarch64-linux-gnu qemu-aarch64

echo "-- 32-bit ARM (LibTomCrypt), emulated"
emulated armv7-unknown-linux-gnueabihf arm-linux-gnueabihf qemu-arm

echo "-- software AES"
RUSTFLAGS="--cfg aes_force_soft" CARGO_TARGET_DIR=target/crypto-soft \
  cargo test --locked -q -p satchel-sqlcipher
