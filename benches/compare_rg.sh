#!/usr/bin/env bash
# Compares ferret's detection throughput with ripgrep running the same
# patterns over the same generated corpus (mixed business CSV, ~30% of rows
# carrying personal data).
#
#   bash benches/compare_rg.sh [SIZE_MB] [WORKDIR]
#
# SIZE_MB defaults to 200; WORKDIR (default: a fresh temp dir, removed at the
# end) receives corpus/corpus.csv and patterns.txt. Prints MB/s of:
#   - rg -c -f patterns.txt (lines with any match; one thread). On this
#     corpus most lines match at their first field, so rg skips the rest of
#     the line: an upper bound, not a like-for-like peer
#   - rg --count-matches -f patterns.txt (every match, like ferret; one thread)
#   - ferret's engine alone, one thread: Pack::find on every CSV field, and
#     Pack::find_many over 2048-row column chunks (the classifier's path) on a
#     fresh pack in one pass (cold lazy DFAs, empty shape memo), as a scan runs
#   - the whole binary: ferret scan --full --threads 1 --quiet (CSV parsing,
#     Arrow batches, classification, inventory), timed with /usr/bin/time -v
# and the ratios ferret/rg.
set -euo pipefail

SIZE_MB="${1:-200}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${2:-}" ]]; then
    WORK="$2"
    mkdir -p "$WORK"
    KEEP=1
else
    WORK="$(mktemp -d /tmp/ferret-rg.XXXXXX)"
    KEEP=0
fi
cleanup() { [[ "$KEEP" == 1 ]] || rm -rf "$WORK"; }
trap cleanup EXIT

apt_install() {
    if [[ "$(id -u)" != 0 ]]; then
        echo "need $1 (not installed and not root): install it and rerun" >&2
        exit 2
    fi
    apt-get install -y -qq "$1" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$1" >/dev/null; }
}
command -v rg >/dev/null || apt_install ripgrep
[[ -x /usr/bin/time ]] || apt_install time
command -v python3 >/dev/null || apt_install python3

echo "== building (release)"
(cd "$ROOT" && cargo build --release --quiet --bin ferret --example engine_throughput)
HELPER="$ROOT/target/release/examples/engine_throughput"
FERRET="$ROOT/target/release/ferret"

echo "== generating ${SIZE_MB} MB corpus"
mkdir -p "$WORK/corpus"
CORPUS="$WORK/corpus/corpus.csv"
"$HELPER" gen-csv "$CORPUS" "$SIZE_MB"
BYTES=$(stat -c %s "$CORPUS")
MBYTES=$(python3 -c "print($BYTES/1e6)")

echo "== extracting patterns from detectors/*.toml"
python3 - "$ROOT/detectors" "$WORK/patterns.txt" "$WORK/dropped.txt" <<'PY'
import sys, tomllib, pathlib, subprocess
src, out, dropped = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
kept, lost = [], []
for f in sorted(src.glob("*.toml")):
    if f.name.endswith("taxonomy.toml"):
        continue
    for d in tomllib.loads(f.read_text()).get("detector", []):
        p = d["pattern"]
        if d.get("case_insensitive"):
            p = "(?i)" + p
        if "\n" in p:
            lost.append((d["id"], "pattern spans lines (rg -f reads one pattern per line)"))
            continue
        # rg exits 2 when it rejects a pattern, 1 when it just finds nothing.
        r = subprocess.run(["rg", "-e", p, "-"], input=b"", capture_output=True)
        if r.returncode == 2:
            lost.append((d["id"], r.stderr.decode(errors="replace").strip().splitlines()[-1]))
            continue
        kept.append((d["id"], p))
# rg joins the lines with `|`: a bare inline flag such as `(?-u)` would then
# reach into the patterns after it, so each one goes in its own group.
pathlib.Path(out).write_text("".join("(?:" + p + ")\n" for _, p in kept))
pathlib.Path(dropped).write_text("".join(f"{i}: {why}\n" for i, why in lost))
print(f"{len(kept)} patterns kept, {len(lost)} dropped")
for i, why in lost:
    print(f"  dropped {i}: {why}")
PY

# Seconds of wall time of a command, output discarded (page cache warmed first).
cat "$CORPUS" >/dev/null
secs() {
    local start end
    start=$(date +%s.%N)
    "$@" >"$WORK/last.out"
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.3f}')"
}
mbps() { python3 -c "print(f'{$MBYTES / $1:.1f}')"; }

echo "== ripgrep $(rg --version 2>/dev/null | sed -n '1s/^ripgrep \([^ ]*\).*/\1/p')"
# rg exits 1 when nothing matched; 2 is an error (then the timing is meaningless).
rg -j1 --no-mmap -q -f "$WORK/patterns.txt" - </dev/null || [[ $? == 1 ]] || { echo "rg rejects the joined patterns" >&2; exit 1; }
RG_SECS=$(secs rg -j1 --no-mmap -c -f "$WORK/patterns.txt" "$CORPUS" || true)
RG_LINES=$(cat "$WORK/last.out")
RG_MBPS=$(mbps "$RG_SECS")
echo "rg -c (lines with a match: $RG_LINES): ${RG_SECS}s = ${RG_MBPS} MB/s"
RGM_SECS=$(secs rg -j1 --no-mmap --count-matches -f "$WORK/patterns.txt" "$CORPUS" || true)
RGM_COUNT=$(cat "$WORK/last.out")
RGM_MBPS=$(mbps "$RGM_SECS")
echo "rg --count-matches (matches: $RGM_COUNT): ${RGM_SECS}s = ${RGM_MBPS} MB/s"

echo "== ferret engine (1 thread): Pack::find per field, then Pack::find_many per column chunk"
ENGINE_LINE=$("$HELPER" run "$CORPUS")
FIND_MBPS=$(sed -n 's/.*FIND_MBPS=\([0-9.]*\).*/\1/p' <<<"$ENGINE_LINE")
MANY_MBPS=$(sed -n 's/.*FIND_MANY_MBPS=\([0-9.]*\).*/\1/p' <<<"$ENGINE_LINE")

echo "== ferret binary: scan --full --threads 1 --quiet"
set +e
/usr/bin/time -v "$FERRET" scan --full --threads 1 --quiet -o "$WORK/inventory.json" "$WORK/corpus" 2>"$WORK/time.txt"
CODE=$?
set -e
BIN_SECS=$(python3 - "$WORK/time.txt" <<'PY'
import sys
for line in open(sys.argv[1]):
    if "Elapsed (wall clock)" in line:
        parts = [float(x) for x in line.rsplit(" ", 1)[1].split(":")]
        s = 0.0
        for p in parts:
            s = s * 60 + p
        print(f"{s:.3f}")
PY
)
BIN_RSS=$(awk -F: '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$WORK/time.txt")
BIN_USER=$(awk -F: '/User time/ {print $2+0}' "$WORK/time.txt")
BIN_MBPS=$(mbps "$BIN_SECS")
echo "ferret scan --full --threads 1: exit $CODE, ${BIN_SECS}s wall (${BIN_USER}s user) = ${BIN_MBPS} MB/s, max RSS ${BIN_RSS} MB"
if [[ $CODE -ne 0 && $CODE -ne 3 ]]; then
    grep -v '^\s' "$WORK/time.txt" | head -20 >&2 || true
fi

echo
echo "== summary (${MBYTES} MB corpus, $(wc -l <"$WORK/patterns.txt") patterns, 1 thread each)"
python3 - <<PY
rg, rgm, find, many, binr = $RG_MBPS, $RGM_MBPS, $FIND_MBPS, $MANY_MBPS, $BIN_MBPS
print(f"rg -c                         {rg:8.1f} MB/s  (stops at a line's first match)")
print(f"rg --count-matches            {rgm:8.1f} MB/s  (every match: the fair peer)")
print(f"ferret Pack::find_many        {many:8.1f} MB/s  ferret/rg --count-matches = {many/rgm:.2f}  ferret/rg -c = {many/rg:.3f}")
print(f"ferret Pack::find (per value) {find:8.1f} MB/s  ferret/rg --count-matches = {find/rgm:.2f}")
print(f"ferret scan --full --threads 1 {binr:7.1f} MB/s  binary/rg --count-matches = {binr/rgm:.2f}  binary/find_many = {binr/many:.2f}")
PY
if [[ -s "$WORK/dropped.txt" ]]; then
    echo "patterns rg rejected (not in the rg run):"
    sed 's/^/  /' "$WORK/dropped.txt"
else
    echo "rg accepted every pattern"
fi
