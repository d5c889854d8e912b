#!/usr/bin/env bash
# The whole test suite: the Rust workspace (unit, property, integration, kill and plaintext
# tests), then the uniffi bindings from Python, Kotlin on the JVM, and Swift (in a Debian trixie
# chroot; needs root and debootstrap). SATCHEL_SKIP_SWIFT=1 skips only the Swift part.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust workspace"
cargo test --workspace --locked

echo "== Bindings: generate"
./bindings/generate.sh

echo "== Server binary (the Python sync test runs it)"
cargo build --locked -p satchel-server

echo "== Bindings: Python"
python3 -m pytest -q bindings/tests/python

echo "== Bindings: Kotlin (JVM)"
(cd bindings/tests/kotlin && mvn -q -B test)

if [ "${SATCHEL_SKIP_SWIFT:-0}" = 1 ]; then
  echo "== Bindings: Swift skipped (SATCHEL_SKIP_SWIFT=1)"
else
  echo "== Bindings: Swift (trixie chroot)"
  ./bindings/tests/swift/run.sh
fi
