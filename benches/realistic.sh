#!/usr/bin/env bash
# ferret on data it has never seen (issue 18): a realistic corpus of distinct
# values (benches/realistic/gen_corpus.py: Faker in 23 locales, national ids,
# free text, logs, secrets, hashes; CSV, JSON Lines, Parquet) against the
# project's mixed corpus (the one benches/compare_rg.sh generates), in one run.
#
#   bash benches/realistic.sh [MB] [DATA_DIR]
#
# MB (default 200) is the realistic corpus's size in cell bytes (the UTF-8
# bytes of every cell's text: what a scanner must look at). DATA_DIR (default
# /work/bench/realistic if /work/bench exists, else target/bench-realistic)
# receives the corpus, DATA_DIR.manifest.json, DATA_DIR.engine.csv and the
# mixed corpus DATA_DIR.mixed/corpus.csv; they are reused when MB, the seed
# and the generators are unchanged (the script is idempotent). Prints:
#
#   - the corpus: files, rows, cell bytes, distinct-value ratio per column family
#   - startup: a scan of one tiny file
#   - scan DIR --full --threads 1: MB/s of cell bytes per core, peak RSS
#   - scan DIR --full on all cores: MB/s, MB/s per core, peak RSS
#   - per table, --full --threads 1: MB/s (which kind of data is slow)
#   - the engine alone: engine_throughput many FILE --cold (find_many over
#     2048-row column chunks, fresh pack) on every cell value of the corpus
#   - the detector pack doubled (every built-in detector again under id
#     `<id>_dup`, from --detectors): --full --threads 1 time against the normal
#     pack (issue 18 target: at most 1.3x)
#   - bad input: a 10 MB value of base64, of digits and of free text, long
#     runs of one character, binary garbage: scan time and exit of each
#   - the top 10 symbols of `perf record` of the single-thread scan
#   - PostgreSQL: the tables loaded into database ferret_realistic, ferret scan
#     URL --full against psql \copy of every table to /dev/null in one session
#   - the same figures on the mixed corpus, side by side
#
# Environment:
#   FERRET_BIN, ENGINE_BIN  use these binaries instead of building this repo's
#   PG_ENV                  a target/pg/env file of a running cluster
#                           (default: this repo's target/pg/env when its server
#                           answers, else `scripts/pg-server.sh start`)
#   NO_PG=1, NO_PERF=1, NO_MIXED=1, NO_PER_TABLE=1   skip a part
#   SEED (default 18), PG_RUNS (default 2: best of), KEEP=1 keeps the work dir
set -euo pipefail

MB_REQ="${1:-200}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${2:-}" ]]; then
    DATA="$2"
elif [[ -d /work/bench ]]; then
    DATA=/work/bench/realistic
else
    DATA="$ROOT/target/bench-realistic"
fi
DATA="$(mkdir -p "$(dirname "$DATA")" && cd "$(dirname "$DATA")" && pwd)/$(basename "$DATA")"
SEED="${SEED:-18}"
PG_RUNS="${PG_RUNS:-2}"
WORK="$(mktemp -d /tmp/ferret-realistic.XXXXXX)"
cleanup() { [[ "${KEEP:-0}" == 1 ]] && echo "(work dir kept: $WORK)" || rm -rf "$WORK"; }
trap cleanup EXIT
NPROC=$(nproc)

apt_install() {
    if [[ "$(id -u)" != 0 ]]; then
        echo "need $1 (not installed and not root)" >&2
        return 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null; }
}
[[ -x /usr/bin/time ]] || apt_install time
python3 -c 'import faker, pyarrow, stdnum' 2>/dev/null ||
    python3 -m pip install -q -r "$ROOT/benches/realistic/requirements.txt"

py() { python3 -c "$@"; }

echo "== binaries"
if [[ -z "${FERRET_BIN:-}" || -z "${ENGINE_BIN:-}" ]]; then
    (cd "$ROOT" && cargo build --release --quiet --bin ferret --example engine_throughput)
fi
FERRET="${FERRET_BIN:-$ROOT/target/release/ferret}"
ENGINE="${ENGINE_BIN:-$ROOT/target/release/examples/engine_throughput}"
echo "ferret: $FERRET ($("$FERRET" --version 2>/dev/null || echo '?'))"
echo "engine: $ENGINE"
echo "machine: $NPROC cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- corpus
echo
echo "== realistic corpus (${MB_REQ} MB of cell bytes, seed $SEED) in $DATA"
STAMP="mb=$MB_REQ seed=$SEED gen=$(sha256sum "$ROOT/benches/realistic/gen_corpus.py" | cut -c1-16) $(python3 -c 'import faker, pyarrow, stdnum; print(faker.VERSION, pyarrow.__version__, stdnum.__version__)')"
if [[ -f "$DATA.stamp" && "$(cat "$DATA.stamp")" == "$STAMP" && -f "$DATA.manifest.json" && -f "$DATA.engine.csv" ]]; then
    echo "(reusing the corpus generated earlier with the same parameters)"
    python3 "$ROOT/benches/realistic/gen_corpus.py" --summary "$DATA.manifest.json"
else
    rm -f "$DATA.stamp"
    python3 "$ROOT/benches/realistic/gen_corpus.py" --mb "$MB_REQ" --seed "$SEED" "$DATA" 2>"$WORK/gen.log" ||
        { tail -20 "$WORK/gen.log" >&2; exit 1; }
    echo "$STAMP" >"$DATA.stamp"
fi
CELL=$(py "import json; print(json.load(open('$DATA.manifest.json'))['cell_bytes'])")
DISK=$(du -sb "$DATA" | cut -f1)
RDIST=$(py "import json; f=json.load(open('$DATA.manifest.json'))['families'].values(); print(f'{sum(x[\"distinct\"] for x in f) / sum(x[\"values\"] for x in f):.4f}')")
echo "cell bytes: $CELL; on disk: $DISK bytes (Parquet compressed); distinct-value ratio (distinct / values, per family, summed): $RDIST"

MIXED_DIR="$DATA.mixed"
if [[ "${NO_MIXED:-0}" != 1 ]]; then
    echo
    echo "== mixed corpus (engine_throughput gen-csv, as benches/compare_rg.sh) in $MIXED_DIR"
    MSTAMP="mb=$MB_REQ $(sha256sum "$ROOT/benches/support/corpus.rs" | cut -c1-16)"
    if [[ -f "$MIXED_DIR.stamp" && "$(cat "$MIXED_DIR.stamp")" == "$MSTAMP" && -f "$MIXED_DIR/corpus.csv" ]]; then
        echo "(reusing)"
    else
        rm -rf "$MIXED_DIR" "$MIXED_DIR.stamp"
        mkdir -p "$MIXED_DIR"
        "$ENGINE" gen-csv "$MIXED_DIR/corpus.csv" "$MB_REQ"
        echo "$MSTAMP" >"$MIXED_DIR.stamp"
    fi
    # Cell bytes of the mixed CSV (fields without delimiters and quotes) and its
    # distinct-value ratio, for comparison with the realistic one.
    python3 - "$MIXED_DIR/corpus.csv" >"$WORK/mixed_stats.txt" <<'PY'
import csv, hashlib, os, sys
from array import array
import pyarrow as pa
csv.field_size_limit(1 << 30)
cell = 0
cols = None
hashes = []
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    r = csv.reader(f)
    cols = next(r)
    hashes = [array("Q") for _ in cols]
    for row in r:
        for i, v in enumerate(row):
            b = v.encode()
            cell += len(b)
            if v and i < len(hashes):
                hashes[i].append(int.from_bytes(hashlib.blake2b(b, digest_size=8).digest(), "little"))
n = sum(len(h) for h in hashes)
d = sum(len(pa.array(h, type=pa.uint64()).unique()) for h in hashes)
print(cell, os.path.getsize(sys.argv[1]), f"{d / max(n, 1):.4f}")
for c, h in zip(cols, hashes):
    if h:
        print(f"  {c:20s} {len(pa.array(h, type=pa.uint64()).unique()) / len(h):7.4f}  ({len(h)} values)")
PY
    read -r MCELL MFILE MDIST <"$WORK/mixed_stats.txt"
    echo "mixed corpus: $MFILE file bytes, $MCELL cell bytes, distinct-value ratio (distinct / values, per column, summed) ${MDIST}; per column:"
    tail -n +2 "$WORK/mixed_stats.txt"
fi

# ---------------------------------------------------------------- helpers
# timed NAME CMD...: runs CMD under /usr/bin/time -v (stdout to $WORK/NAME.out)
# and sets T_WALL T_CPU T_RSS (MB) T_CODE; a panic is reported.
timed() {
    local name=$1
    shift
    set +e
    /usr/bin/time -v "$@" >"$WORK/$name.out" 2>"$WORK/$name.time"
    T_CODE=$?
    set -e
    read -r T_WALL T_CPU T_RSS <<<"$(python3 - "$WORK/$name.time" <<'PY'
import sys
wall = cpu = rss = 0.0
for line in open(sys.argv[1], errors="replace"):
    line = line.strip()
    if line.startswith("Elapsed (wall clock)"):
        s = 0.0
        for p in line.rsplit(" ", 1)[1].split(":"):
            s = s * 60 + float(p)
        wall = s
    elif line.startswith(("User time", "System time")):
        cpu += float(line.rsplit(":", 1)[1])
    elif line.startswith("Maximum resident set size"):
        rss = int(line.rsplit(":", 1)[1]) / 1024
print(f"{wall:.3f} {cpu:.3f} {rss:.1f}")
PY
)"
    if grep -q "panicked" "$WORK/$name.time"; then
        echo "!! $name: PANIC: $(grep -m1 panicked "$WORK/$name.time")"
    fi
    if [[ $T_CODE -ne 0 && $T_CODE -ne 1 ]]; then
        echo "!! $name: exit $T_CODE: $(grep -v '^\s' "$WORK/$name.time" | head -3 | tr '\n' ' ')"
    fi
}
mbps() { py "print(f'{$1 / 1e6 / max($2, 1e-9):.1f}')"; }
ratio() { py "print(f'{$1 / max($2, 1e-9):.2f}')"; }

scan_line() { # LABEL BYTES
    echo "$1: ${T_WALL}s wall, ${T_CPU}s CPU, exit $T_CODE = $(mbps "$2" "$T_WALL") MB/s of cell bytes ($(mbps "$2" "$T_CPU") MB per CPU-second), peak RSS ${T_RSS} MB"
}

# ---------------------------------------------------------------- startup
echo
echo "== startup: scan of one tiny file (issue 18 target: under 30 ms)"
mkdir -p "$WORK/tiny"
printf 'id,email\n1,ana@example.org\n' >"$WORK/tiny/t.csv"
"$FERRET" scan --quiet -o /dev/null "$WORK/tiny" || true
best=9
for _ in 1 2 3 4 5; do
    timed tiny "$FERRET" scan --quiet -o /dev/null "$WORK/tiny"
    best=$(py "print(f'{min($best, $T_WALL):.3f}')")
done
echo "tiny scan: best of 5 ${best}s wall (peak RSS ${T_RSS} MB)"

# ---------------------------------------------------------------- scans
cat "$DATA"/*/* >/dev/null
echo
echo "== realistic corpus: scan --full --threads 1"
timed r1 "$FERRET" scan --full --threads 1 --quiet -o "$WORK/r1.json" "$DATA"
R1_WALL=$T_WALL R1_CPU=$T_CPU R1_RSS=$T_RSS
scan_line "realistic --threads 1" "$CELL"
python3 - "$WORK/r1.json" <<'PY' || true
import json, sys
doc = json.load(open(sys.argv[1]))
assets = doc.get("assets", [])
cols = [c for a in assets for c in a.get("columns", [])]
labels = {}
for c in cols:
    for l in c.get("labels", []):
        labels[l["label"]] = labels.get(l["label"], 0) + 1
errs = sum(len(a.get("errors") or []) for a in assets)
print(f"inventory: {len(assets)} assets, {len(cols)} columns, {sum(1 for c in cols if c.get('labels'))} labelled, {errs} asset errors")
print("labels (columns): " + ", ".join(f"{k} {v}" for k, v in sorted(labels.items(), key=lambda kv: -kv[1])))
PY

echo
echo "== realistic corpus: scan --full --threads $NPROC"
timed rN "$FERRET" scan --full --threads "$NPROC" --quiet -o "$WORK/rN.json" "$DATA"
RN_WALL=$T_WALL RN_RSS=$T_RSS
scan_line "realistic --threads $NPROC" "$CELL"
echo "per core: $(py "print(f'{$CELL / 1e6 / $RN_WALL / $NPROC:.1f}')") MB/s; speed-up over 1 thread: $(ratio "$R1_WALL" "$RN_WALL")x"

if [[ "${NO_PER_TABLE:-0}" != 1 ]]; then
    echo
    echo "== realistic corpus, per table: scan --full --threads 1"
    for t in $(py "import json; print(' '.join(json.load(open('$DATA.manifest.json'))['tables']))"); do
        tb=$(py "import json; print(json.load(open('$DATA.manifest.json'))['tables']['$t']['cell_bytes'])")
        fmt=$(py "import json; print(json.load(open('$DATA.manifest.json'))['tables']['$t']['format'])")
        timed "t_$t" "$FERRET" scan --full --threads 1 --quiet -o /dev/null "$DATA/$t"
        printf '  %-16s %-8s %7.1f MB  %7.2fs  %6.1f MB/s  RSS %6.1f MB  exit %s\n' "$t" "$fmt" "$(py "print($tb/1e6)")" "$T_WALL" "$(mbps "$tb" "$T_WALL")" "$T_RSS" "$T_CODE"
    done
fi

echo
echo "== engine alone: engine_throughput many FILE --cold (every cell value of the corpus)"
EFILE=$(stat -c %s "$DATA.engine.csv")
ENG_OUT=$("$ENGINE" many "$DATA.engine.csv" --cold 2>&1 | tail -1)
echo "$ENG_OUT"
ENG_MBPS=$(sed -n 's/.*cold: \([0-9.]*\) MB\/s.*/\1/p' <<<"$ENG_OUT")
# The engine counts its input text (values quoted, commas): in cell bytes
ENG_CELL_MBPS=$(py "print(f'{${ENG_MBPS:-0} * $CELL / $EFILE:.1f}')")
echo "engine find_many cold: ${ENG_MBPS} MB/s of its CSV text = ${ENG_CELL_MBPS} MB/s of cell bytes"

# ---------------------------------------------------------------- doubled pack
echo
echo "== detector pack doubled (every built-in detector again as <id>_dup via --detectors)"
mkdir -p "$WORK/dup"
python3 - "$ROOT/detectors" "$WORK/dup" <<'PY'
import pathlib, re, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for f in sorted(src.glob("*.toml")):
    if f.name.endswith("taxonomy.toml"):
        continue  # labels exist already; detectors are what doubles
    text, k = re.subn(r'(?m)^(id\s*=\s*")([^"]+)(")', r"\1\2_dup\3", f.read_text())
    n += k
    (dst / ("dup_" + f.name)).write_text(text)
print(f"{n} detectors copied under new ids")
PY
NORMAL_N=$("$FERRET" detectors list --format json | py "import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d.get('detectors', [])))" || echo '?')
DOUBLE_N=$("$FERRET" detectors list --detectors "$WORK/dup" --format json | py "import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d.get('detectors', [])))" || echo '?')
echo "pack: $NORMAL_N detectors normally, $DOUBLE_N with the copies"
# Best of 2 each, alternating (the first normal run is the one above).
NORM_BEST=$R1_WALL DUP_BEST=1e9 NORM_CPU=$R1_CPU DUP_CPU=1e9
for i in 1 2; do
    timed dup "$FERRET" scan --full --threads 1 --quiet --detectors "$WORK/dup" -o /dev/null "$DATA"
    scan_line "realistic --threads 1, doubled pack (run $i)" "$CELL"
    DUP_BEST=$(py "print(min($DUP_BEST, $T_WALL))")
    DUP_CPU=$(py "print(min($DUP_CPU, $T_CPU))")
    if [[ $i == 1 ]]; then
        timed norm2 "$FERRET" scan --full --threads 1 --quiet -o /dev/null "$DATA"
        scan_line "realistic --threads 1, normal pack (run 2)" "$CELL"
        NORM_BEST=$(py "print(min($NORM_BEST, $T_WALL))")
        NORM_CPU=$(py "print(min($NORM_CPU, $T_CPU))")
    fi
done
DUP_RATIO=$(ratio "$DUP_BEST" "$NORM_BEST")
DUP_CPU_RATIO=$(ratio "$DUP_CPU" "$NORM_CPU")
echo "doubled pack / normal pack: ${DUP_RATIO}x wall (best of 2 each: ${DUP_BEST}s / ${NORM_BEST}s), ${DUP_CPU_RATIO}x CPU (${DUP_CPU}s / ${NORM_CPU}s); target at most 1.3x"

# ---------------------------------------------------------------- bad input
echo
echo "== bad input: one file each, scan --full --threads 1"
BAD="$WORK/bad"
python3 - "$BAD" <<'PY'
import base64, json, os, random, sys
import pyarrow as pa, pyarrow.parquet as pq
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
r = random.Random(18)
ten = 10_000_000
sizes = {}
def csv1(name, header, values):
    sizes[name] = sum(len(v.encode()) for v in values)
    with open(os.path.join(d, name), "w") as f:
        f.write(header + "\n")
        for v in values:
            f.write('"' + v.replace('"', '""') + '"\n')
csv1("value_10mb_base64.csv", "payload", [base64.b64encode(r.randbytes(ten * 3 // 4)).decode(), "ok"])
csv1("value_10mb_digits.csv", "number", ["".join(r.choices("0123456789", k=ten)), "4111 1111 1111 1111"])
csv1("value_10mb_digit_groups.csv", "number", [" ".join("".join(r.choices("0123456789", k=4)) for _ in range(ten // 5))])
words = ["the", "customer", "ana@example.org", "+44 20 7946 0958", "AKIA" + "Q" * 16, "Müller", "4111111111111111", "10.0.0.1", "ok", "DE89370400440532013000"]
with open(os.path.join(d, "value_10mb_text.jsonl"), "w") as f:
    f.write(json.dumps({"note": " ".join(r.choice(words) for _ in range(ten // 8))[:ten]}) + "\n")
# Values just under the readers' 1 MiB record limit are scanned: the worst per-value cost.
csv1("value_1mb_digits.csv", "number", ["".join(r.choices("0123456789", k=1_000_000))])
csv1("value_1mb_text.csv", "note", [" ".join(r.choice(words) for _ in range(120_000))[:1_000_000]])
csv1("value_1mb_hex.csv", "blob", [r.randbytes(500_000).hex()])
csv1("runs_of_a.csv", "col", ["a" * 100_000 for _ in range(100)])
csv1("runs_of_0.csv", "col", ["0" * 100_000 for _ in range(100)])
pq.write_table(pa.table({"col": ["A" * 1_000_000 for _ in range(10)] + ["=" * 1_000_000 for _ in range(10)]}), os.path.join(d, "runs.parquet"))
sizes["runs.parquet"] = 20_000_000
with open(os.path.join(d, "garbage.csv"), "wb") as f:
    f.write(r.randbytes(5_000_000))
with open(os.path.join(d, "garbage.jsonl"), "wb") as f:
    f.write(b'{"a": "' + r.randbytes(2_000_000).replace(b'"', b"x").replace(b"\\", b"x") + b'"}\n')
with open(os.path.join(d, "garbage.parquet"), "wb") as f:
    f.write(b"PAR1" + r.randbytes(1_000_000) + b"PAR1")
for f in os.listdir(d):
    sizes.setdefault(f, os.path.getsize(os.path.join(d, f)))
json.dump(sizes, open(d + ".sizes.json", "w"))
PY
WORST=0 WORST_F=""
for f in $(ls "$BAD"); do
    mkdir -p "$WORK/bad1"
    rm -f "$WORK/bad1"/*
    cp "$BAD/$f" "$WORK/bad1/"
    timed "bad_$f" "$FERRET" scan --full --threads 1 --quiet -o "$WORK/bad.json" "$WORK/bad1"
    errs=$(py "import json; d=json.load(open('$WORK/bad.json')); print('; '.join((e.get('message') if isinstance(e, dict) else str(e))[:80] for a in d.get('assets', []) for e in (a.get('errors') or [])) or '-')" 2>/dev/null || echo "no inventory")
    printf '  %-28s %6.1f MB of values  %7.2fs  RSS %6.1f MB  exit %s  errors: %s\n' "$f" "$(py "import json; print(json.load(open('$BAD.sizes.json'))['$f']/1e6)")" "$T_WALL" "$T_RSS" "$T_CODE" "$errs"
    if py "import sys; sys.exit(0 if $T_WALL > $WORST else 1)"; then WORST=$T_WALL WORST_F=$f; fi
done
echo "worst bad input: $WORST_F in ${WORST}s"

# ---------------------------------------------------------------- perf
echo
echo "== perf: top 10 symbols (self time) of scan --full --threads 1 on the realistic corpus"
PERF_OK=0
if [[ "${NO_PERF:-0}" == 1 ]]; then
    echo "(skipped: NO_PERF=1)"
else
    command -v perf >/dev/null || apt_install linux-perf || true
    if command -v perf >/dev/null &&
        perf record -F 499 -o "$WORK/perf.data" -- "$FERRET" scan --full --threads 1 --quiet -o /dev/null "$DATA" >"$WORK/perf.rec" 2>&1; then
        perf report -i "$WORK/perf.data" --stdio --no-children --sort symbol --percent-limit 0 2>/dev/null |
            awk '/^ +[0-9.]+%/ && n < 10 { n++; sub(/[ \t-]+$/, ""); print }'
        PERF_OK=1
    else
        echo "perf is not supported here: $(grep -v '^$' "$WORK/perf.rec" 2>/dev/null | head -2 | tr '\n' ' ')"
    fi
fi

# ---------------------------------------------------------------- mixed
if [[ "${NO_MIXED:-0}" != 1 ]]; then
    echo
    echo "== mixed corpus: scan --full --threads 1 and --threads $NPROC, engine cold"
    cat "$MIXED_DIR/corpus.csv" >/dev/null
    timed m1 "$FERRET" scan --full --threads 1 --quiet -o /dev/null "$MIXED_DIR"
    M1_WALL=$T_WALL M1_RSS=$T_RSS M1_CPU=$T_CPU
    scan_line "mixed --threads 1" "$MCELL"
    timed mN "$FERRET" scan --full --threads "$NPROC" --quiet -o /dev/null "$MIXED_DIR"
    MN_WALL=$T_WALL MN_RSS=$T_RSS
    scan_line "mixed --threads $NPROC" "$MCELL"
    MENG_OUT=$("$ENGINE" many "$MIXED_DIR/corpus.csv" --cold 2>&1 | tail -1)
    echo "$MENG_OUT"
    MENG_MBPS=$(sed -n 's/.*cold: \([0-9.]*\) MB\/s.*/\1/p' <<<"$MENG_OUT")
    MENG_CELL_MBPS=$(py "print(f'{${MENG_MBPS:-0} * $MCELL / $MFILE:.1f}')")
    timed mdup "$FERRET" scan --full --threads 1 --quiet --detectors "$WORK/dup" -o /dev/null "$MIXED_DIR"
    MDUP_RATIO=$(ratio "$T_WALL" "$M1_WALL")
    MDUP_CPU_RATIO=$(ratio "$T_CPU" "$M1_CPU")
    echo "mixed, doubled pack / normal pack: ${MDUP_RATIO}x wall, ${MDUP_CPU_RATIO}x CPU (one run each)"
fi

# ---------------------------------------------------------------- postgres
PG_LINE="(skipped)"
if [[ "${NO_PG:-0}" != 1 ]]; then
    echo
    echo "== PostgreSQL: the realistic tables in database ferret_realistic"
    pg_alive() { [[ -f "$1" ]] && (. "$1" && psql -X -q "$FERRET_TEST_PG_ADMIN_URL" -tAc 'select 1' >/dev/null 2>&1); }
    if [[ -n "${PG_ENV:-}" ]]; then
        pg_alive "$PG_ENV" || { echo "PG_ENV=$PG_ENV: no server answers" >&2; exit 1; }
    elif pg_alive "$ROOT/target/pg/env"; then
        PG_ENV="$ROOT/target/pg/env"
    else
        bash "$ROOT/scripts/pg-server.sh" start
        PG_ENV="$ROOT/target/pg/env"
    fi
    echo "cluster: $PG_ENV"
    # shellcheck disable=SC1090
    . "$PG_ENV"
    ADMIN_DB="${FERRET_TEST_PG_ADMIN_URL%/*}/ferret_realistic"
    READER="postgres://$FERRET_TEST_PG_READER@127.0.0.1:$FERRET_TEST_PG_PORT/ferret_realistic"
    export PGPASSWORD="$FERRET_TEST_PG_READER_PASSWORD"
    PGSTAMP="$(cat "$DATA.stamp")"
    mkdir -p "$WORK/pg"
    python3 "$ROOT/benches/realistic/pg_tables.py" "$DATA" "$WORK/pg" >"$WORK/pg/bytes.txt"
    PG_CELL=$(sed -n 's/.*PG_CELL_BYTES=\([0-9]*\).*/\1/p' "$WORK/pg/bytes.txt")
    HAVE=$(psql -X -q "$FERRET_TEST_PG_ADMIN_URL" -tAc "select shobj_description(oid, 'pg_database') from pg_database where datname = 'ferret_realistic'" 2>/dev/null || true)
    if [[ "$HAVE" == "$PGSTAMP" ]]; then
        echo "(reusing the loaded database)"
    else
        psql -X -q "$FERRET_TEST_PG_ADMIN_URL" -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS ferret_realistic" -c "CREATE DATABASE ferret_realistic"
        load=("-v" "ON_ERROR_STOP=1" "-f" "$WORK/pg/schema.sql")
        for t in $(cat "$WORK/pg/tables.txt"); do
            load+=("-c" "\\copy public.\"$t\" from '$WORK/pg/$t.csv' with (format csv, header true)")
        done
        t0=$(date +%s.%N)
        psql -X -q "$ADMIN_DB" "${load[@]}"
        psql -X -q "$ADMIN_DB" -v ON_ERROR_STOP=1 -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $FERRET_TEST_PG_READER" -c "ANALYZE" \
            -c "COMMENT ON DATABASE ferret_realistic IS '$PGSTAMP'"
        echo "loaded $(wc -l <"$WORK/pg/tables.txt") tables in $(py "print(f'{$(date +%s.%N) - $t0:.1f}')")s"
    fi
    echo "$(cat "$WORK/pg/bytes.txt") (cell bytes as text: the corpus's JSON arrays kept as JSON text)"
    copy=()
    for t in $(cat "$WORK/pg/tables.txt"); do
        copy+=("-c" "\\copy (select * from public.\"$t\") to '/dev/null'")
    done
    best_psql=1e9 best_ferret=1e9 pg_rss=0
    for _ in $(seq "$PG_RUNS"); do
        timed psql psql -X -q "$READER" "${copy[@]}"
        best_psql=$(py "print(min($best_psql, $T_WALL))")
        timed pgscan "$FERRET" scan --full --quiet -o "$WORK/pg.json" "$READER"
        best_ferret=$(py "print(min($best_ferret, $T_WALL))")
        pg_rss=$T_RSS
    done
    PG_RATIO=$(ratio "$best_ferret" "$best_psql")
    echo "psql \\copy of every table in one session: ${best_psql}s"
    echo "ferret scan URL --full ($NPROC threads):   ${best_ferret}s = $(mbps "$PG_CELL" "$best_ferret") MB/s, peak RSS ${pg_rss} MB, exit $T_CODE"
    echo "ratio ferret/psql: ${PG_RATIO}x (best of $PG_RUNS; issue 18 target at most 2x)"
    PG_LINE="${best_ferret}s vs psql ${best_psql}s = ${PG_RATIO}x"
fi

# ---------------------------------------------------------------- summary
echo
echo "== summary ($NPROC cores; MB/s of cell bytes)"
python3 - <<PY
cell, r1, rn, rrss, rnrss = $CELL, $R1_WALL, $RN_WALL, $R1_RSS, $RN_RSS
n = $NPROC
rows = [("", "realistic", "mixed")]
def f(x): return f"{x:.1f}"
mixed = "${NO_MIXED:-0}" != "1"
if mixed:
    mc, m1, mn, mrss, mnrss = ${MCELL:-0}, ${M1_WALL:-0}, ${MN_WALL:-0}, ${M1_RSS:-0}, ${MN_RSS:-0}
rows.append(("corpus MB of cell bytes", f(cell / 1e6), f(mc / 1e6) if mixed else "-"))
rows.append(("distinct-value ratio", "$RDIST", "${MDIST:--}"))
rows.append(("scan --full --threads 1 MB/s", f(cell / 1e6 / r1), f(mc / 1e6 / m1) if mixed else "-"))
rows.append(("  MB per CPU-second (contention-proof)", f(cell / 1e6 / $R1_CPU), f(mc / 1e6 / ${M1_CPU:-1}) if mixed else "-"))
rows.append((f"scan --full --threads {n} MB/s", f(cell / 1e6 / rn), f(mc / 1e6 / mn) if mixed else "-"))
rows.append((f"  per core", f(cell / 1e6 / rn / n), f(mc / 1e6 / mn / n) if mixed else "-"))
rows.append(("engine find_many cold MB/s", "${ENG_CELL_MBPS}", "${MENG_CELL_MBPS:--}"))
rows.append(("peak RSS MB (1 thread / all)", f"{rrss:.0f} / {rnrss:.0f}", f"{mrss:.0f} / {mnrss:.0f}" if mixed else "-"))
rows.append(("doubled pack / normal, wall", "${DUP_RATIO}x", "${MDUP_RATIO:--}x"))
rows.append(("doubled pack / normal, CPU", "${DUP_CPU_RATIO}x", "${MDUP_CPU_RATIO:--}x"))
for a, b, c in rows:
    print(f"{a:38s} {b:>18s} {c:>14s}")
PY
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (wall-time figures suffer on a busy machine; CPU-second ones much less)"
echo "PostgreSQL --full vs psql \\copy: $PG_LINE"
echo "startup (tiny file): ${best}s; worst bad input: $WORST_F ${WORST}s"
echo "targets (issue 18): >= 25 MB/s per core single-thread; PG <= 2x psql; startup < 0.030s; RSS < 300 MB on 200 MB; doubled pack <= 1.3x"
