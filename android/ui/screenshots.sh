#!/usr/bin/env bash
# Renders every screen (the ScreenshotTest) and copies the few the README shows into
# docs/screenshots/. Run bindings/generate.sh and `cargo build -p satchel-server` first.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B test -Dtest=ScreenshotTest
mkdir -p ../../docs/screenshots
for shot in log-en-light-100 review-en-dark-100 today-sp-light-100 stock-en-dark-200 card-sp-en-light-100; do
  cp "target/screenshots/$shot.png" "../../docs/screenshots/$shot.png"
done
ls -l ../../docs/screenshots
