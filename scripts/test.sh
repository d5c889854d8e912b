#!/usr/bin/env bash
# The whole test suite: unit, property, integration, kill and plaintext tests of every crate.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
