#!/usr/bin/env bash
# Builds the fuzz targets (cargo-fuzz, libFuzzer) and runs each for SECONDS
# (default 60), starting from a seed corpus made from the project's fixtures
# (fuzz/seeds/ for the parsers) and replaying every saved reproducer in
# fuzz/regressions/TARGET/ first.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     targets: detect config manifest
#                                          baseline index objects (default all)
#   fuzz/run.sh --ci [SECONDS] ...        as CI runs it: installs cargo-fuzz if
#                                          missing, and prints "fuzzing skipped:
#                                          WHY" and exits 0 when fuzzing cannot
#                                          be built or run on this machine
#
# Exit 1 when a target crashes, panics, hangs (an input over 10 s) or runs out
# of memory; the input is saved under fuzz/artifacts/TARGET/. Replay one with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET FILE` in fuzz/.
#
# cargo-fuzz needs nightly-only rustc flags. Only the stable toolchain may be
# on the machine, so RUSTC_BOOTSTRAP=1 lets stable accept them. The address
# sanitizer is used when its runtime links, else none (`--sanitizer none`).
set -uo pipefail

ci=0
if [ "${1:-}" = "--ci" ]; then
    ci=1
    shift
fi
seconds=${1:-60}
shift || true
all=(detect config manifest baseline index objects)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz_dir")
cd "$fuzz_dir" || exit 2
export RUSTC_BOOTSTRAP=1
# The fuzz crate has its own workspace and target folder (fuzz/target).
unset CARGO_TARGET_DIR

skip() {
    echo "fuzzing skipped: $*"
    exit 0
}
fail_setup() {
    if [ "$ci" = 1 ]; then
        skip "$@"
    fi
    echo "fuzz/run.sh: $*" >&2
    exit 2
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    if [ "$ci" = 1 ]; then
        echo "installing cargo-fuzz"
        cargo install --locked cargo-fuzz >/tmp/keyaudit-cargo-fuzz-install.log 2>&1 ||
            skip "cargo install cargo-fuzz failed (see /tmp/keyaudit-cargo-fuzz-install.log)"
    else
        fail_setup "cargo-fuzz is not installed: cargo install cargo-fuzz"
    fi
fi

# Build once, all targets. ASan if it links here, else no sanitizer.
sanitizer=address
build_log=$(mktemp)
if ! cargo fuzz build -O --sanitizer "$sanitizer" >"$build_log" 2>&1; then
    sanitizer=none
    if ! cargo fuzz build -O --sanitizer none >"$build_log" 2>&1; then
        tail -n 20 "$build_log" >&2
        # A compile error in the targets or the crate is ours to fix: fail,
        # never "skipped".
        if grep -q '^error\[E[0-9]' "$build_log"; then
            echo "fuzz/run.sh: the fuzz targets do not compile" >&2
            exit 1
        fi
        fail_setup "the fuzz targets do not build with this toolchain (RUSTC_BOOTSTRAP=1 cargo fuzz build)"
    fi
fi
rm -f "$build_log"
echo "fuzz targets built (sanitizer: $sanitizer)"

# Seed corpora, rebuilt each run from the fixtures and fuzz/seeds/ (the
# corpus folders keep what earlier runs found, too).
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
python3 - "$root" "$seeds" <<'EOF' || fail_setup "cannot make the seed corpus (python3)"
import os, shutil, subprocess, sys, zlib

root, out = sys.argv[1], sys.argv[2]
def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# detect: PATH NUL CONTENT for every fixture file.
fixtures = os.path.join(root, "fixtures")
n = 0
for dirpath, _, files in os.walk(fixtures):
    for name in files:
        full = os.path.join(dirpath, name)
        rel = os.path.relpath(full, fixtures).split(os.sep, 1)[-1]
        with open(full, "rb") as f:
            content = f.read()[:64 * 1024]
        n += 1
        put("detect", f"fixture-{n}", rel.encode() + b"\0" + content)

# config, manifest, baseline: the hand-written seeds; both TOML sets for both TOML targets.
for target, sources in [("config", ["config", "manifest"]), ("manifest", ["config", "manifest"]),
                        ("baseline", ["baseline"])]:
    for src in sources:
        d = os.path.join(root, "fuzz", "seeds", src)
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                put(target, f"{src}-{name}", f.read())

# index and objects: a real repository holding a fixture.
repo = os.path.join(out, "repo")
shutil.copytree(os.path.join(fixtures, "leaky-bot"), repo)
def git(*args):
    subprocess.run(["git", "-C", repo, "-c", "user.name=fuzz", "-c", "user.email=fuzz@example.com",
                    "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args],
                   check=True, capture_output=True)
def index(name):
    with open(os.path.join(repo, ".git", "index"), "rb") as f:
        put("index", name, f.read())
git("init", "-q")
git("add", "-A")
index("v2-added")
objects = os.path.join(repo, ".git", "objects")
blobs = []
for dirpath, _, files in os.walk(objects):
    for name in files:
        if len(os.path.basename(dirpath)) == 2:
            with open(os.path.join(dirpath, name), "rb") as f:
                raw = f.read()
            blobs.append((raw, zlib.decompress(raw)))
git("commit", "-qm", "seed")
index("v2-tree-cache")
open(os.path.join(repo, "new.py"), "w").write("x = 1\n")
git("add", "-N", "new.py")
index("v3-intent-to-add")
git("update-index", "--index-version", "4")
index("v4")
git("update-index", "--index-version", "2")

# objects: mode byte, then the object in that mode's form (see objects.rs).
def header(kind, size):
    out = bytearray()
    byte = (kind << 4) | (size & 0x0f)
    size >>= 4
    while size:
        out.append(byte | 0x80)
        byte = size & 0x7f
        size >>= 7
    out.append(byte)
    return bytes(out)
for i, (raw, inflated) in enumerate(blobs[:12]):
    content = inflated.split(b"\0", 1)[1]
    put("objects", f"loose-{i}", b"\0" + raw)
    put("objects", f"inflated-{i}", b"\1" + inflated)
    put("objects", f"entry-{i}", b"\2" + header(3, len(content)) + zlib.compress(content))
    put("objects", f"typed-{i}", b"\3\3" + min(len(content), 0xffff).to_bytes(2, "little") + content)
# Deltas against the base blob (54 bytes): copy 16 bytes from 0, insert "hello".
delta = bytes([54, 21, 0x90, 0x10, 5]) + b"hello"
for kind in (6, 7):
    put("objects", f"delta-{kind}", bytes([3, kind]) + len(delta).to_bytes(2, "little") + delta)
EOF

mkdir -p corpus artifacts
status=0
passed=0
failed=0
summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "regressions/$t" "artifacts/$t"
    extra=()
    [ -d "$seeds/$t" ] && extra+=("$seeds/$t")
    case $t in
        objects) max_len=65536 ;;
        index) max_len=65536 ;;
        *) max_len=16384 ;;
    esac
    log="artifacts/$t/last-run.log"
    echo "fuzzing $t for ${seconds}s"
    start=$(date +%s)
    # Saved reproducers and seeds are read (and so replayed) first; new
    # inputs go to corpus/$t.
    cargo fuzz run -O --sanitizer "$sanitizer" "$t" "corpus/$t" "regressions/$t" "${extra[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
        -print_final_stats=1 -close_fd_mask=1 >"$log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ "$rc" = 0 ]; then
        summary+=("$t: ${took}s, ${runs:-?} runs, no crash")
        passed=$((passed + 1))
    else
        status=1
        failed=$((failed + 1))
        summary+=("$t: FAILED after ${took}s (exit $rc); see fuzz/$log and fuzz/artifacts/$t/")
        grep -E 'panicked|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -n 8
    fi
done
echo "fuzzing summary (sanitizer: $sanitizer):"
printf '  %s\n' "${summary[@]}"
echo "fuzz: $passed passed, $failed failed"
exit $status
