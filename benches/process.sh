#!/usr/bin/env bash
# Whole-process benchmarks, each a ratio measured in one hyperfine run:
#   1. dblint on fixtures/.env.production against `dotenv-linter check` on the same file;
#   2. `dblint --fix` over a tree of 10,000 .env files against `dblint` linting the same tree,
#      and beside them the bare replacement of the files a fix rewrites (examples/replace_floor.rs).
# Installs hyperfine (apt) and dotenv-linter (cargo) when missing. Results go to
# target/bench/*.md and *.json; BENCHMARKS.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench
mkdir -p "$out"
export PATH="$HOME/.cargo/bin:$PATH"
only="${ONLY:-all}"   # all, file or tree

if ! command -v hyperfine >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq hyperfine
fi
if ! command -v dotenv-linter >/dev/null 2>&1; then
  cargo install dotenv-linter --locked --quiet
fi
# DBLINT=path measures a given build instead of building this checkout.
if [ -z "${DBLINT:-}" ]; then cargo build --release --quiet; fi
dblint="${DBLINT:-$PWD/target/release/dblint}"
runs="${RUNS:-50}"

if [ "$only" != tree ]; then
echo "== 1. one .env file: dblint vs dotenv-linter"
file=fixtures/.env.production
wc -l "$file"
hyperfine -N -i --warmup 10 --runs "$runs" \
  --export-markdown "$out/env-file.md" --export-json "$out/env-file.json" \
  -n dblint "$dblint --isolated --format concise $file" \
  -n dotenv-linter "dotenv-linter check $file"

fi

if [ "$only" != file ]; then
echo "== 2. 10,000 .env files: dblint --fix vs dblint"
# TREE_DIR puts the trees elsewhere, e.g. on a tmpfs to measure dblint without the disk.
trees="${TREE_DIR:-$out}"
mkdir -p "$trees"
tree="$trees/tree"
seed="$trees/tree-seed"
python3 benches/gen_tree.py "$seed" 10000
cargo build --release --quiet --example replace_floor
floor="$PWD/target/release/examples/replace_floor"
# Every timed run gets its own fresh copy of the tree and starts from the same state:
#  - the copy is moved into place (a rename) and nothing is ever deleted during the runs;
#  - `sync`, then SETTLE seconds (default 65) of quiet: ext4 without a journal (this
#    machine's root file system) will not reuse an inode freed less than 60 s ago (more
#    while its inode table block is dirty) and checks every such inode again on each
#    allocation, so a --fix run started right after another one (which freed 6,403 inodes
#    by its renames) would pay for the previous run, which no user's run does;
#  - one untimed lint of the copy, so that both commands find the files, their directory
#    entries and inodes in memory, as a user who just edited them would.
# The same preparation precedes every command, so the ratios compare like with like.
tree_runs="${TREE_RUNS:-5}"
settle="${SETTLE:-65}"
copies="$trees/tree-copies"
trash="$trees/tree-trash"
rm -rf "$tree" "$copies" "$trash"
mkdir -p "$copies" "$trash"
for i in $(seq 1 $(( 3 * (tree_runs + 1) ))); do cp -a "$seed" "$copies/$i"; done
next='mv '"$tree"' '"$trash"'/$(date +%s%N) 2>/dev/null; mv "$(ls -d '"$copies"'/* | head -n 1)" '"$tree"'; sync; sleep '"$settle"'; '"$dblint"' --isolated --quiet --format concise '"$tree"' >/dev/null || true'
hyperfine -i --warmup 1 --runs "$tree_runs" \
  --prepare "$next" \
  --export-markdown "$out/tree.md" --export-json "$out/tree.json" \
  -n "dblint --fix" "$dblint --isolated --quiet --format concise --fix $tree" \
  -n "dblint" "$dblint --isolated --quiet --format concise $tree" \
  -n "replace only" "$floor $tree"
rm -rf "$copies" "$trash" "$tree"
fi

python3 - "$out" "$only" <<'PY'
import json, sys
out, only = sys.argv[1], sys.argv[2]
def means(name):
    d = json.load(open(f"{out}/{name}.json"))
    return {r["command"]: (r["mean"], r["stddev"]) for r in d["results"]}
if only != "tree":
    a = means("env-file")
    print(f"dblint / dotenv-linter (one file): {a['dblint'][0]*1e3:.2f} ms / {a['dotenv-linter'][0]*1e3:.2f} ms = {a['dblint'][0]/a['dotenv-linter'][0]:.2f}x")
if only != "file":
    b = means("tree")
    print(f"dblint --fix / dblint (10,000 files): {b['dblint --fix'][0]:.3f} s / {b['dblint'][0]:.3f} s = {b['dblint --fix'][0]/b['dblint'][0]:.2f}x")
    print(f"replacing the same files, nothing else (examples/replace_floor.rs): {b['replace only'][0]:.3f} s = {b['replace only'][0]/b['dblint'][0]:.2f}x the lint")
PY
