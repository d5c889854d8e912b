#!/usr/bin/env bash
# The whole test suite: the Rust workspace (unit, property, integration, kill and plaintext
# tests), then the uniffi bindings from Python, Kotlin on the JVM, and Swift (in a Debian trixie
# chroot; needs root and debootstrap), then the Android app's screens on the JVM (android/ui) and
# the iOS app's view models in Swift (ios/SatchelKit, in the same chroot). SATCHEL_SKIP_SWIFT=1 skips only the Swift part; the hub's
# storage tests also run on PostgreSQL (scripts/postgres.sh; SATCHEL_SKIP_POSTGRES=1 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."

# What the suite needs, installed when missing (Debian's packages, as root) or named exactly.
./scripts/setup.sh

# The hub's storage tests run against PostgreSQL too: start this machine's server unless a
# database is given (SATCHEL_TEST_POSTGRES_URL) or the runs are skipped (SATCHEL_SKIP_POSTGRES=1).
if [ -z "${SATCHEL_TEST_POSTGRES_URL:-}" ] && [ "${SATCHEL_SKIP_POSTGRES:-0}" != 1 ]; then
  echo "== PostgreSQL for the hub's storage tests"
  SATCHEL_TEST_POSTGRES_URL="$(./scripts/postgres.sh)"
  case "$SATCHEL_TEST_POSTGRES_URL" in
    postgres://*) ;;
    *) echo "scripts/postgres.sh gave no database URL" >&2; exit 1 ;;
  esac
  export SATCHEL_TEST_POSTGRES_URL
fi

echo "== The two apps' catalogues agree (scripts/check-app-strings.py; differences listed with reasons in apps/strings-differences.txt)"
python3 scripts/check-app-strings.py

echo "== Rust workspace: lints, warnings as errors (unsafe only at the crypto provider's C boundary, no unwrap outside tests)"
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
cargo clippy --workspace --all-targets --locked --features satchel-cli/demo -- -D warnings

echo "== Rust workspace"
# The manager's tool's demo (a real hub in-process) is a cargo feature; its tests need it.
cargo test --workspace --locked --features satchel-cli/demo

echo "== SQLCipher's page crypto on arm64 and 32-bit ARM (emulated) and with software AES"
./scripts/crypto-paths.sh

echo "== Native library size (the shipping build for arm64, broken down, and 32-bit ARM, stripped; fails above 4 MB)"
./scripts/size-budget.sh

echo "== Bindings: generate (with the test-only panic probe)"
SATCHEL_FFI_FEATURES=testing ./bindings/generate.sh

# The Python sync test runs the server binary. `cargo test` above built it (the server's
# integration tests need it); a separate `cargo build` would resolve features differently and
# rebuild its dependencies for nothing.
if [ ! -x target/debug/satchel-server ]; then
  echo "== Server binary (the Python sync test runs it)"
  cargo build --locked -p satchel-server
fi

echo "== Bindings: Python"
python3 -m pytest -q bindings/tests/python

echo "== Android app: a signed APK, built from android/app and its screens against Android 15 and the libraries it ships (android/app/build-apk.sh)"
./android/app/build-apk.sh
echo "== Android app: the Activity on Android 15's framework (Robolectric, android/app/robolectric.sh)"
cargo build -q --locked -p satchel-server
./android/app/robolectric.sh

echo "== Bindings: Kotlin (JVM)"
(cd bindings/tests/kotlin && mvn -q -B test)

# Compose Multiplatform's desktop runtime (Skiko) needs OpenGL, X11 and fontconfig libraries
# and a font even headless: Debian's libgl1, libx11-6, libfontconfig1 and fonts-dejavu-core.
echo "== Android app: screens and state holders on the JVM (android/ui)"
libs="$("$(command -v ldconfig || echo /sbin/ldconfig)" -p)"
for lib in libGL.so.1 libX11.so.6 libfontconfig.so.1; do
  if ! grep -q "$lib" <<<"$libs"; then
    echo "missing $lib: apt-get install libgl1 libx11-6 libfontconfig1 fonts-dejavu-core" >&2
    exit 1
  fi
done
(cd android/ui && mvn -q -B test)

if [ "${SATCHEL_SKIP_SWIFT:-0}" = 1 ]; then
  echo "== Bindings: Swift skipped (SATCHEL_SKIP_SWIFT=1)"
else
  echo "== Bindings: Swift (trixie chroot)"
  ./bindings/tests/swift/run.sh
  echo "== iOS app: view models in Swift (ios/SatchelKit, same chroot)"
  ./bindings/tests/swift/run.sh ios/SatchelKit
fi
