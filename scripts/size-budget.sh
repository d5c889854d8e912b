#!/usr/bin/env bash
# The native library's size budget, for the phones' CPUs: the shipping settings (the `ffi`
# profile) built for their Linux targets, which stand in for the Android ABIs (same code and
# crypto provider, another C library): arm64 with its ARMv8 AES (.cargo/config.toml), 32-bit
# ARM with LibTomCrypt (D65). The arm64 build keeps its symbols (the `ffi-symbols` profile) and
# is stripped here as the `ffi` profile strips, so where its bytes go is printed too (sections;
# Rust crates and C libraries from the symbols). Fails when a stripped library is over budget.
# Each target needs its cross C compiler (scripts/setup.sh) and Rust target
# (scripts/crypto-paths.sh adds them); without the arm64 ones this machine's own build is
# broken down and checked instead, and a missing target is reported as not measured.
#
#   scripts/size-budget.sh            budget SATCHEL_FFI_BUDGET bytes, default 4000000
#
# The relocation packing the Android build uses is set for every target in bindings/build.rs.
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

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
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

has_cross() { # TARGET GCC_PREFIX
  command -v "$2-gcc" >/dev/null 2>&1 && rustup target list --installed | grep -qx "$1"
}
build() { # TARGET GCC_PREFIX PROFILE
  local target="$1" prefix="$2" var
  var="$(echo "$target" | tr 'a-z-' 'A-Z_')"
  env "CARGO_TARGET_${var}_LINKER=$prefix-gcc" "CC_${target//-/_}=$prefix-gcc" "AR_${target//-/_}=$prefix-ar" \
    cargo build --locked -q -p satchel-ffi --profile "$3" --target "$target" --target-dir target/cross
}

# Broken down: arm64's build with its symbols, or this machine's.
if has_cross aarch64-unknown-linux-gnu aarch64-linux-gnu; then
  label=aarch64-unknown-linux-gnu
  build "$label" aarch64-linux-gnu ffi-symbols
  dir="target/cross/$label/ffi-symbols"
  strip_tool=aarch64-linux-gnu-strip
else
  echo "NOT MEASURED: aarch64-unknown-linux-gnu (no aarch64-linux-gnu-gcc or no Rust target); this machine's build instead" >&2
  label="$(uname -m)"
  cargo build --locked -q -p satchel-ffi --profile ffi-symbols
  dir=target/ffi-symbols
  strip_tool=strip
fi
lib="$dir/libsatchel_ffi.so"
"$strip_tool" --strip-all -o "$work/libsatchel_ffi.so" "$lib"
# The archive satchel-sqlcipher built for this profile: the newest of its build directories.
out="$(ls -td "$dir"/build/satchel-sqlcipher-*/out 2>/dev/null | head -1)"
archives=()
[ -f "$out/libsatchel_sqlcipher.a" ] && archives+=("$out/libsatchel_sqlcipher.a")
python3 scripts/size_breakdown.py "$lib" "$work/libsatchel_ffi.so" "${archives[@]}"
check "$label" "$work/libsatchel_ffi.so"

# 32-bit ARM, as it ships (stripped by the profile).
if has_cross armv7-unknown-linux-gnueabihf arm-linux-gnueabihf; then
  build armv7-unknown-linux-gnueabihf arm-linux-gnueabihf ffi
  check armv7-unknown-linux-gnueabihf target/cross/armv7-unknown-linux-gnueabihf/ffi/libsatchel_ffi.so
else
  echo "NOT MEASURED: armv7-unknown-linux-gnueabihf (no arm-linux-gnueabihf-gcc or no Rust target)" >&2
fi
exit "$over"
