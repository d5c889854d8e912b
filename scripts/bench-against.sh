#!/usr/bin/env bash
# The store's benchmarks (core/benches/store.rs: log one encounter, tally, unlock) at another
# revision and at this tree, run in turn on this machine so that the ratios between them hold
# on a busy one.
#
#   scripts/bench-against.sh REV [ROUNDS]
#
# REV is built from a git worktree in a temporary directory into target/bench-against, kept
# between runs; this tree builds into target/ as usual. The two must not share a target
# directory: cargo names a workspace crate's build-script run by its path in the workspace, so
# both trees would write the same one, and one whose files are older than the other's last run
# would count as built (satchel-sqlcipher's provider was once benchmarked against itself so). ROUNDS (default 2) alternates the two binaries. SATCHEL_BENCH_N and
# SATCHEL_BENCH_TALLY_N size the runs (defaults here: 500 encounters logged, 200000 tallied).
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:?usage: scripts/bench-against.sh REV [ROUNDS]}"
rounds="${2:-2}"
export SATCHEL_BENCH_N="${SATCHEL_BENCH_N:-500}"
export SATCHEL_BENCH_TALLY_N="${SATCHEL_BENCH_TALLY_N:-200000}"
root="$(pwd)"
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

bench_binary() {
  (cd "$1" && CARGO_TARGET_DIR="$2" cargo bench --locked -p satchel-core --bench store \
    --no-run --message-format=json 2>/dev/null) |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "store":
        print(m["executable"])'
}

git worktree add --detach "$work/base" "$rev" >/dev/null
echo "== building the store benchmark at $rev and at this tree"
base="$(bench_binary "$work/base" "$root/target/bench-against")"
head="$(bench_binary "$root" "$root/target")"
[ -x "$base" ] && [ -x "$head" ] || { echo "a benchmark did not build" >&2; exit 1; }

for round in $(seq "$rounds"); do
  for side in base head; do
    bin="$base"; [ "$side" = head ] && bin="$head"
    echo "== round $round: $side ($( [ "$side" = base ] && echo "$rev" || echo "this tree"))"
    "$bin" | sed -n '/== summary ==/,$p' | tail -n +2 | tee "$work/$side.$round"
  done
done

# The medians of the rounds, side by side: log p50, each tally, unlock.
python3 - "$work" "$rounds" <<'EOF'
import re, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def figures(side):
    runs = []
    for r in range(1, rounds + 1):
        text = open(f"{work}/{side}.{r}").read()
        got = {"log_encounter p50 (ms)": float(re.search(r"log_encounter p50 ([\d.]+) ms", text).group(1))}
        for label, secs in re.findall(r"^tally (.+?) +([\d.]+) s \| bare", text, re.M):
            got[f"tally {label} (s)"] = float(secs)
        got["unlock_with_pin (ms)"] = float(re.search(r"unlock_with_pin ([\d.]+) ms", text).group(1))
        runs.append(got)
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}
base, head = figures("base"), figures("head")
print("\n== medians: before, after, after/before")
for k in base:
    print(f"{k:<28}{base[k]:>10.3f}{head[k]:>10.3f}{head[k] / base[k]:>8.2f}x")
EOF
