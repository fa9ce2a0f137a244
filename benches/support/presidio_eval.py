"""Scores Presidio and ferret on the same values of the labeled corpus.

Run by benches/compare_presidio.sh (which builds the virtual environment and
ferret). Steps:

1. Read every column the truth file (fixtures/truth/corpus_labels.json) names
   from the corpus (CSV, JSON Lines, Parquet; nested objects flattened into
   dotted paths as ferret does) and keep its first N non-empty values.
2. Write those values to OUT/values/<file>.csv, so ferret scans exactly the
   values Presidio analyses (ferret runs on that folder with --full).
3. Run Presidio's AnalyzerEngine over every value, one thread, timed.
4. Turn per-value results into column labels and score both tools at column
   level against the truth: per-label precision/recall/F1 and macro F1, over
   all labels and over the labels Presidio has a recognizer for.

Presidio gets the benefit of every doubt: its column rule and score threshold
are chosen by a grid search on this very truth (the best macro F1 wins),
while ferret runs with its defaults.
"""

import csv
import json
import pathlib
import subprocess
import sys
import time

import pyarrow.parquet as pq

# Presidio entity -> ferret label (only where the two mean the same thing).
ENTITY_TO_LABEL = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "US_SSN",
    "US_ITIN": "US_ITIN",
    "US_DRIVER_LICENSE": "US_DRIVERS_LICENSE",
    "US_BANK_NUMBER": "US_BANK_ROUTING",
    "UK_NHS": "UK_NHS_NUMBER",
    "UK_NINO": "UK_NINO",
    "ES_NIF": "ES_DNI",
    "IT_FISCAL_CODE": "IT_FISCAL_CODE",
    "SG_NRIC_FIN": "SG_NRIC",
    "AU_ABN": "AU_ABN",
    "AU_TFN": "AU_TFN",
    "AU_MEDICARE": "AU_MEDICARE",
    "IN_PAN": "IN_PAN",
    "IN_AADHAAR": "IN_AADHAAR",
    "PL_PESEL": "PL_PESEL",
    "FI_PERSONAL_IDENTITY_CODE": "FI_HETU",
    "KR_RRN": "KR_RRN",
    "CRYPTO": "CRYPTO_ADDRESS",
    "PERSON": "PERSON_NAME",
    "LOCATION": "STREET_ADDRESS",
}


def flatten(value, prefix, out):
    """Nested objects become dotted paths, list elements `path[]` (ferret's names)."""
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(v, f"{prefix}.{k}" if prefix else k, out)
    elif isinstance(value, list):
        for v in value:
            flatten(v, f"{prefix}[]", out)
    elif value is not None:
        out.setdefault(prefix, []).append(value if isinstance(value, str) else json.dumps(value))


def read_columns(path):
    """Column path -> list of values (strings), in row order."""
    cols = {}
    if path.suffix == ".parquet":
        for row in pq.read_table(path).to_pylist():
            for k, v in row.items():
                flatten(v, k, cols)
    elif path.suffix == ".jsonl":
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                flatten(json.loads(line), "", cols)
            except json.JSONDecodeError:
                continue
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        for row in csv.DictReader(text.splitlines(keepends=True), dialect=dialect):
            for k, v in row.items():
                if k is not None and v not in (None, ""):
                    cols.setdefault(k, []).append(v)
    return cols


def column_labels(values_results, threshold, rule):
    """Labels of one column from Presidio's per-value results."""
    n = len(values_results)
    counts = {}
    for results in values_results:
        for label in {ENTITY_TO_LABEL.get(e) for e, s in results if s >= threshold} - {None}:
            counts[label] = counts.get(label, 0) + 1
    if not counts or n == 0:
        return set()
    if rule == "majority":
        best = max(counts, key=counts.get)
        return {best} if counts[best] * 2 >= n else set()
    min_share = {"share30": 0.3, "share10": 0.1}[rule]
    return {l for l, c in counts.items() if c >= 2 and c / n >= min_share}


def score(truth, predicted, labels):
    """Per-label (precision, recall, f1) and macro F1 over `labels`."""
    per = {}
    for label in sorted(labels):
        tp = fp = fn = 0
        for key, expected in truth.items():
            got = predicted.get(key, set())
            if label in got and label in expected:
                tp += 1
            elif label in got:
                fp += 1
            elif label in expected:
                fn += 1
        p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[label] = (p, r, f, tp, fp, fn)
    macro = sum(v[2] for v in per.values()) / len(per) if per else 0.0
    return per, macro


def main():
    root, ferret, out, per_column = (
        pathlib.Path(sys.argv[1]),
        sys.argv[2],
        pathlib.Path(sys.argv[3]),
        int(sys.argv[4]),
    )
    blank_model = sys.argv[5]
    truth_doc = json.loads((root / "fixtures/truth/corpus_labels.json").read_text())
    truth = {}
    for c in truth_doc["columns"]:
        truth[(c["file"], c["column"])] = set(c["labels"])

    # 1-2. The same values for both tools.
    values_dir = out / "values"
    values_dir.mkdir(parents=True, exist_ok=True)
    samples = {}
    by_file = {}
    for file, column in truth:
        by_file.setdefault(file, []).append(column)
    for file, columns in sorted(by_file.items()):
        cols = read_columns(root / "fixtures/corpus" / file)
        kept = {c: [str(v) for v in cols.get(c, []) if str(v).strip()][:per_column] for c in columns}
        for c, vs in kept.items():
            samples[(file, c)] = vs
        rows = max((len(v) for v in kept.values()), default=0)
        with open(values_dir / (file.replace(".", "_") + ".csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for i in range(rows):
                w.writerow([kept[c][i] if i < len(kept[c]) else "" for c in columns])
    n_values = sum(len(v) for v in samples.values())
    n_bytes = sum(len(x.encode()) for v in samples.values() for x in v)
    missing = [k for k, v in samples.items() if not v]

    # 3. Presidio, one thread.
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": blank_model}]}
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    supported = {ENTITY_TO_LABEL[e] for e in analyzer.get_supported_entities("en") if e in ENTITY_TO_LABEL}
    t = time.perf_counter()
    results = {}
    for key, vs in samples.items():
        results[key] = [[(r.entity_type, r.score) for r in analyzer.analyze(text=v, language="en")] for v in vs]
    presidio_secs = time.perf_counter() - t

    # ferret on the same values, one thread.
    # Best of three runs, as Presidio's loop runs warm after its first values.
    inventory = out / "ferret.json"
    ferret_secs = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        code = subprocess.run(
            [ferret, "scan", "--full", "--threads", "1", "--quiet", "-o", str(inventory), str(values_dir)]
        ).returncode
        ferret_secs = min(ferret_secs, time.perf_counter() - t)
        if code not in (0, 3):
            sys.exit(f"ferret exited {code}")
    inv = json.loads(inventory.read_text())
    name_of = {f.replace(".", "_") + ".csv": f for f in by_file}
    ferret_pred = {}
    for asset in inv["assets"]:
        file = name_of.get(asset["id"].rsplit("/", 1)[-1])
        for col in asset["columns"]:
            ferret_pred[(file, col["path"])] = {l["label"] for l in col["labels"]}

    # 4. Scores.
    all_labels = set().union(*truth.values()) | set().union(*ferret_pred.values())
    best = None
    for threshold in (0.0, 0.3, 0.5, 0.7):
        for rule in ("majority", "share30", "share10"):
            pred = {k: column_labels(r, threshold, rule) for k, r in results.items()}
            _, m = score(truth, pred, all_labels | set().union(*pred.values()))
            if best is None or m > best[0]:
                best = (m, threshold, rule, pred)
    _, threshold, rule, presidio_pred = best
    labels_all = all_labels | set().union(*presidio_pred.values())
    labels_common = {l for l in labels_all if l in supported}
    f_per, f_macro = score(truth, ferret_pred, labels_all)
    p_per, p_macro = score(truth, presidio_pred, labels_all)
    _, f_common = score(truth, ferret_pred, labels_common)
    p_common_per, p_common = score(truth, presidio_pred, labels_common)

    print(f"corpus: {len(truth)} columns, {n_values} values ({n_bytes / 1e6:.2f} MB), up to {per_column} per column")
    if missing:
        print(f"  {len(missing)} truth columns had no values: {missing[:5]}")
    print(f"presidio: {len(supported)} of its entities map to ferret labels; best grid setting: "
          f"score >= {threshold}, column rule {rule}")
    print()
    print(f"{'label':<22} {'ferret P':>8} {'R':>6} {'F1':>6}   {'presidio P':>10} {'R':>6} {'F1':>6}")
    for label in sorted(labels_common):
        fp_, fr, ff = f_per[label][:3]
        pp, pr, pf = p_per[label][:3]
        print(f"{label:<22} {fp_:8.3f} {fr:6.3f} {ff:6.3f}   {pp:10.3f} {pr:6.3f} {pf:6.3f}")
    print()
    print(f"macro F1, labels Presidio supports ({len(labels_common)}): ferret {f_common:.3f}  presidio {p_common:.3f}")
    print(f"macro F1, all labels ({len(labels_all)}):              ferret {f_macro:.3f}  presidio {p_macro:.3f}")
    print()
    pv, fv = n_values / presidio_secs, n_values / ferret_secs
    print(f"presidio: {presidio_secs:8.2f} s  {pv:10.0f} values/s  {n_bytes / 1e6 / presidio_secs:8.3f} MB/s (analyze only, 1 thread)")
    print(f"ferret:   {ferret_secs:8.2f} s  {fv:10.0f} values/s  {n_bytes / 1e6 / ferret_secs:8.3f} MB/s (whole binary incl. start-up and file discovery, --threads 1, best of 3)")
    print(f"throughput ratio ferret/presidio: {fv / pv:.0f}x")


if __name__ == "__main__":
    main()
