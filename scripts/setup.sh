#!/usr/bin/env bash
# Installs what the build and the whole test suite need on a Debian machine, and nothing when
# it is all there (scripts/test.sh runs this first). Needs root for apt-get; without root it
# prints the exact command to run and stops. Rust (rustup), Python 3, Java 17 and Go are not
# installed here: it says which is missing.
set -euo pipefail

need_apt=()
for tool in gcc debootstrap mvn; do
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
done
need_apt=("${need_apt[@]/mvn/maven}")
# PostgreSQL for the hub's storage tests (scripts/postgres.sh starts it).
command -v pg_lsclusters >/dev/null 2>&1 || need_apt+=(postgresql)
# The restore drill backs a PostgreSQL hub up and restores it with pg_dump and pg_restore.
command -v pg_restore >/dev/null 2>&1 || need_apt+=(postgresql-client)
# The Android build takes AndroidX's AARs apart, and packages, aligns and signs the APK.
command -v unzip >/dev/null 2>&1 || need_apt+=(unzip)
command -v zip >/dev/null 2>&1 || need_apt+=(zip)
command -v zipalign >/dev/null 2>&1 || need_apt+=(zipalign)
command -v apksigner >/dev/null 2>&1 || need_apt+=(apksigner)
# Headless Chromium renders the HTML report in the CLI's tests.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# The Android app's screens render headless through Skiko: OpenGL, X11, fontconfig and a font.
for pkg in libgl1 libx11-6 libfontconfig1 fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
# SQLCipher's page crypto is also tested built for arm64 and 32-bit ARM and run under
# emulation (scripts/crypto-paths.sh): cross C compilers and user-mode QEMU.
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need_apt+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v arm-linux-gnueabihf-gcc >/dev/null 2>&1 || need_apt+=(gcc-arm-linux-gnueabihf libc6-dev-armhf-cross)
command -v qemu-aarch64 >/dev/null 2>&1 || need_apt+=(qemu-user)
# Skipped parts need nothing of theirs.
[ "${SATCHEL_SKIP_SWIFT:-0}" = 1 ] && need_apt=("${need_apt[@]/debootstrap}")
[ "${SATCHEL_SKIP_CHROMIUM:-0}" = 1 ] && need_apt=("${need_apt[@]/chromium}")
if [ "${SATCHEL_SKIP_POSTGRES:-0}" = 1 ]; then
  need_apt=("${need_apt[@]/postgresql-client}")
  need_apt=("${need_apt[@]/postgresql}")
fi
wanted=()
for p in "${need_apt[@]}"; do [ -n "$p" ] && wanted+=("$p"); done

if [ "${#wanted[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y ${wanted[*]}" >&2
    exit 1
  fi
  echo "== Installing ${wanted[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}"
fi

missing=()
command -v cargo >/dev/null 2>&1 || missing+=("Rust (https://rustup.rs)")
command -v python3 >/dev/null 2>&1 || missing+=("Python 3")
command -v java >/dev/null 2>&1 || missing+=("Java 17")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "missing: ${missing[*]}" >&2
  exit 1
fi
python3 -m pytest --version >/dev/null 2>&1 || python3 -m pip install -q pytest
# The seized-phone test attacks the store's files with code written apart from Satchel's.
python3 -c "import argon2, nacl" >/dev/null 2>&1 || python3 -m pip install -q argon2-cffi pynacl
# Maven fetches the Kotlin compiler, JNA and JUnit from Maven Central on first use; the Swift
# tests make their Debian trixie chroot on first use (bindings/tests/swift/run.sh).
