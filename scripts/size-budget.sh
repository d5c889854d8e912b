#!/usr/bin/env bash
# The native library's size budget: builds libsatchel_ffi for this machine with the shipping
# settings (the `ffi-symbols` profile is the `ffi` profile with its symbols kept), strips a copy
# as the `ffi` profile does, prints where the bytes go (sections; Rust crates and C libraries
# from the symbols) and fails when the stripped library is over the budget.
#
#   scripts/size-budget.sh            budget SATCHEL_FFI_BUDGET bytes, default 4000000
#
# The apps ship one such library per ABI: this machine's build is broken down, and the arm64 and
# 32-bit ARM builds are checked against the same budget (below). The relocation packing the Android build uses
# is set for every target in bindings/build.rs.
#   scripts/size-budget.sh apk FILE [debug]
#                                     the APK's budget (android/app/build-apk.sh calls it):
#                                     SATCHEL_APK_BUDGET bytes, by default for the release
#                                     build (shrunk by R8) 5000000 without the native library
#                                     (as built here) and 16000000 with it for three ABIs; for a
#                                     debug build (D8, nothing shrunk) 13000000 and 24000000
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = apk ]; then
  apk="$2"
  kind="${3:-release}"
  size="$(stat -c %s "$apk")"
  if unzip -l "$apk" | grep -q 'libsatchel_ffi.so'; then
    with="with the native library"
    if [ "$kind" = debug ]; then default=24000000; else default=16000000; fi
  else
    with="without the native library"
    if [ "$kind" = debug ]; then default=13000000; else default=5000000; fi
  fi
  budget="${SATCHEL_APK_BUDGET:-$default}" with="$kind build, $with"
  if [ "$size" -gt "$budget" ]; then
    echo "over budget: the APK ($with) is $size bytes, the budget is $budget" >&2
    exit 1
  fi
  echo "within budget: the APK ($with) $size of $budget bytes"
  exit 0
fi

budget="${SATCHEL_FFI_BUDGET:-4000000}"

cargo build --locked -q -p satchel-ffi --profile ffi-symbols
lib=target/ffi-symbols/libsatchel_ffi.so
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
strip --strip-all -o "$work/libsatchel_ffi.so" "$lib"

# The archive satchel-sqlcipher built for this profile: the newest of its build directories.
out="$(ls -td target/ffi-symbols/build/satchel-sqlcipher-*/out 2>/dev/null | head -1)"
archives=()
[ -f "$out/libsatchel_sqlcipher.a" ] && archives+=("$out/libsatchel_sqlcipher.a")
python3 scripts/size_breakdown.py "$lib" "$work/libsatchel_ffi.so" "${archives[@]}"

over=0
check() { # LABEL FILE
  local size
  size="$(stat -c %s "$2")"
  if [ "$size" -gt "$budget" ]; then
    echo "over budget: $1 libsatchel_ffi.so is $size bytes stripped, the budget is $budget" >&2
    over=1
  else
    echo "within budget: $1 $size of $budget bytes"
  fi
}
check "$(uname -m)" "$work/libsatchel_ffi.so"

# The phones' CPUs, built with the `ffi` profile (stripped) for their Linux targets, which
# stand in for the Android ABIs (same code and crypto provider, another C library): arm64 with
# its ARMv8 AES (.cargo/config.toml), 32-bit ARM with LibTomCrypt (D65). Each needs its cross
# C compiler (scripts/setup.sh) and Rust target (scripts/crypto-paths.sh adds them); a missing
# one is reported as not measured.
cross() { # TARGET GCC_PREFIX
  local target="$1" prefix="$2" var
  var="$(echo "$target" | tr 'a-z-' 'A-Z_')"
  if ! command -v "$prefix-gcc" >/dev/null 2>&1 || ! rustup target list --installed | grep -qx "$target"; then
    echo "NOT MEASURED: $target (no $prefix-gcc or no Rust target)" >&2
    return 0
  fi
  env "CARGO_TARGET_${var}_LINKER=$prefix-gcc" "CC_${target//-/_}=$prefix-gcc" "AR_${target//-/_}=$prefix-ar" \
    cargo build --locked -q -p satchel-ffi --profile ffi --target "$target" --target-dir target/cross
  check "$target" "target/cross/$target/ffi/libsatchel_ffi.so"
}
cross aarch64-unknown-linux-gnu aarch64-linux-gnu
cross armv7-unknown-linux-gnueabihf arm-linux-gnueabihf
exit "$over"
