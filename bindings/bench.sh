#!/usr/bin/env bash
# Benchmark: one encounter logged through the Python bindings against the same call in Rust,
# both in release builds, measured in one run. Usage: bindings/bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
SATCHEL_FFI_PROFILE=release ./bindings/generate.sh >/dev/null
cargo build --locked --release -q -p satchel-ffi --example log_bench
python3 bindings/tests/python/bench_log.py target/release/examples/log_bench "${1:-1000}"
