#!/usr/bin/env python3
"""Turns a corpus of gen_corpus.py into PostgreSQL tables to load.

    python3 benches/realistic/pg_tables.py CORPUS_DIR OUT_DIR

For every table folder of CORPUS_DIR (CSV, JSON Lines or Parquet part files)
writes OUT_DIR/<table>.csv (header, RFC 4180) and appends its CREATE TABLE to
OUT_DIR/schema.sql: every column `text`, nested JSON objects flattened into
columns named `a__b`, JSON arrays kept as their JSON text, as an
application that stores them would. Prints `PG_CELL_BYTES=N PG_ROWS=N
PG_TABLES=N`: the UTF-8 bytes of every non-null cell, what `\\copy` and a
--full scan both read.
"""

import csv
import json
import os
import sys

import pyarrow.parquet as pq

csv.field_size_limit(1 << 30)


def flat(obj, prefix, out):
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            flat(v, key + "__", out)
        elif isinstance(v, list):
            out[key] = json.dumps(v, ensure_ascii=False) if v else None
        else:
            out[key] = v


def rows_of(path):
    if path.endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as f:
            r = csv.reader(f)
            header = next(r)
            for row in r:
                yield {h: (v if v != "" else None) for h, v in zip(header, row)}
    elif path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            for line in f:
                out = {}
                flat(json.loads(line), "", out)
                yield out
    elif path.endswith(".parquet"):
        t = pq.read_table(path)
        for batch in t.to_batches():
            for row in batch.to_pylist():
                yield row


def text(v):
    if v is None:
        return None
    return v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v)


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    total = rows_total = 0
    tables = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    schema = []
    for table in tables:
        parts = sorted(os.path.join(src, table, p) for p in os.listdir(os.path.join(src, table)))
        rows = lambda: (r for p in parts for r in rows_of(p))  # noqa: E731 (two streaming passes)
        cols = []
        seen = set()
        n = 0
        for r in rows():
            n += 1
            for k in r:
                if k not in seen:
                    seen.add(k)
                    cols.append(k)
        with open(os.path.join(out, f"{table}.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(cols)
            for r in rows():
                vals = [text(r.get(c)) for c in cols]
                total += sum(len(v.encode()) for v in vals if v is not None)
                # An empty unquoted field is NULL for COPY ... CSV.
                w.writerow(["" if v is None else v for v in vals])
        rows_total += n
        coldefs = ", ".join(f'"{c}" text' for c in cols)
        schema.append(f'CREATE TABLE public."{table}" ({coldefs});')
    with open(os.path.join(out, "schema.sql"), "w") as f:
        f.write("\n".join(schema) + "\n")
    with open(os.path.join(out, "tables.txt"), "w") as f:
        f.write("\n".join(tables) + "\n")
    print(f"PG_CELL_BYTES={total} PG_ROWS={rows_total} PG_TABLES={len(tables)}")


if __name__ == "__main__":
    main()
