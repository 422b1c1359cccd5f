#!/usr/bin/env bash
# Whole-process benchmarks, each a ratio measured in one hyperfine run:
#   1. dblint on fixtures/.env.production against `dotenv-linter check` on the same file;
#   2. `dblint --fix` over a tree of 10,000 .env files against `dblint` linting the same tree.
# Installs hyperfine (apt) and dotenv-linter (cargo) when missing. Results go to
# target/bench/*.md and *.json; BENCHMARKS.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench
mkdir -p "$out"

if ! command -v hyperfine >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq hyperfine
fi
if ! command -v dotenv-linter >/dev/null 2>&1; then
  cargo install dotenv-linter --locked --quiet
fi
cargo build --release --quiet
dblint="$PWD/target/release/dblint"
runs="${RUNS:-50}"

echo "== 1. one .env file: dblint vs dotenv-linter"
file=fixtures/.env.production
wc -l "$file"
hyperfine -N -i --warmup 10 --runs "$runs" \
  --export-markdown "$out/env-file.md" --export-json "$out/env-file.json" \
  -n dblint "$dblint --isolated --format concise $file" \
  -n dotenv-linter "dotenv-linter check $file"

echo "== 2. 10,000 .env files: dblint --fix vs dblint"
tree="$out/tree"
seed="$out/tree-seed"
python3 benches/gen_tree.py "$seed" 10000
# Every timed run gets its own fresh copy of the tree, moved into place (a rename) by
# --prepare, and the previous one is moved aside rather than deleted: ext4 skips inodes freed
# in the last ~30 s when it allocates new ones, so deleting 10,000 files just before a run
# would slow down every file the run creates and measure the benchmark, not dblint.
tree_runs="${TREE_RUNS:-5}"
copies="$out/tree-copies"
trash="$out/tree-trash"
rm -rf "$tree" "$copies" "$trash"
mkdir -p "$copies" "$trash"
for i in $(seq 1 $(( 2 * (tree_runs + 1) ))); do cp -a "$seed" "$copies/$i"; done
sync
sleep 35
next='mv '"$tree"' '"$trash"'/$(date +%s%N) 2>/dev/null; mv "$(ls -d '"$copies"'/* | head -n 1)" '"$tree"
hyperfine -i --warmup 1 --runs "$tree_runs" \
  --prepare "$next" \
  --export-markdown "$out/tree.md" --export-json "$out/tree.json" \
  -n "dblint --fix" "$dblint --isolated --quiet --format concise --fix $tree" \
  -n "dblint" "$dblint --isolated --quiet --format concise $tree"
rm -rf "$copies" "$trash" "$tree"

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def means(name):
    d = json.load(open(f"{out}/{name}.json"))
    return {r["command"]: (r["mean"], r["stddev"]) for r in d["results"]}
a = means("env-file")
b = means("tree")
print(f"dblint / dotenv-linter (one file): {a['dblint'][0]*1e3:.2f} ms / {a['dotenv-linter'][0]*1e3:.2f} ms = {a['dblint'][0]/a['dotenv-linter'][0]:.2f}x")
print(f"dblint --fix / dblint (10,000 files): {b['dblint --fix'][0]:.3f} s / {b['dblint'][0]:.3f} s = {b['dblint --fix'][0]/b['dblint'][0]:.2f}x")
PY
