#!/usr/bin/env python3
"""Writes a sample of a realistic corpus's cell values, one per line, for the
engine's equivalence test (`find_many_equals_every_detector_run_alone` reads
fixtures/realistic_values.txt): values from an independent generator, so the
test is not limited to shapes the project's own fixtures have.

    python3 benches/realistic/gen_corpus.py --mb 5 /tmp/rs
    python3 benches/realistic/sample_values.py /tmp/rs.engine.csv fixtures/realistic_values.txt
"""
import csv
import sys

src, dst = sys.argv[1], sys.argv[2]
every = int(sys.argv[3]) if len(sys.argv) > 3 else 23
csv.field_size_limit(1 << 30)
out = []
n = 0
with open(src, newline="", encoding="utf-8") as f:
    rows = csv.reader(f)
    next(rows, None)
    for row in rows:
        for value in row:
            n += 1
            # Lines hold one value each: values with line breaks are left out.
            if n % every == 0 and value and "\n" not in value and "\r" not in value:
                out.append(value)
with open(dst, "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print(f"{len(out)} values of {n} written to {dst}")
