#!/usr/bin/env bash
# The native library's size budget: builds libsatchel_ffi for this machine with the shipping
# settings (the `ffi-symbols` profile is the `ffi` profile with its symbols kept), strips a copy
# as the `ffi` profile does, prints where the bytes go (sections; Rust crates and C libraries
# from the symbols) and fails when the stripped library is over the budget.
#
#   scripts/size-budget.sh            budget SATCHEL_FFI_BUDGET bytes, default 4000000
#
# The apps ship one such library per ABI; this machine's x86_64 build stands for them (arm64's
# is within a few percent; armv7's is smaller). The relocation packing the Android build uses
# is set for every target in bindings/build.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
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

size="$(stat -c %s "$work/libsatchel_ffi.so")"
if [ "$size" -gt "$budget" ]; then
  echo "over budget: libsatchel_ffi.so is $size bytes stripped, the budget is $budget" >&2
  exit 1
fi
echo "within budget: $size of $budget bytes"
