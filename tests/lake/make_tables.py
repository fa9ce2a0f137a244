#!/usr/bin/env python3
"""Lake tables for tests/lake.rs, written by the formats' own libraries.

    python3 tests/lake/make_tables.py OUTDIR

Writes, under OUTDIR (which it empties first):

  delta_people/            partitioned Delta table (deltalake), several commits,
                           then every row holding an email DELETED (not vacuumed):
                           the files those rows were in stay in storage
  delta_checkpoint/        Delta table with a checkpoint (create_checkpoint) and
                           commits after it, including a delete
  iceberg/catalog.db       SQLite catalog (pyiceberg SqlCatalog)
  iceberg/warehouse/db/people         partitioned Iceberg table: appends, then
                           a delete of the rows holding emails (older files stay)
  iceberg/warehouse/db/people_snappy  the same writes, manifests Avro-snappy
  iceberg/warehouse/db/people_zstd    ... Avro-zstandard
  iceberg/warehouse/db/people_null    ... uncompressed Avro
  iceberg/warehouse/db/people_v1      ... as an Iceberg format v1 table
  hostile/...              damaged copies (see make_hostile)
  manifest.json            what the libraries themselves report for each table:
                           live files, version / snapshot id, schema, partition
                           columns, and the files in storage that are not live

The manifest is the independent answer the Rust reader is compared with.
"""

import json
import os
import shutil
import sys

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import NotNull
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import LongType, NestedField, StringType

# Partition values with characters that paths must escape (space, slash,
# percent, non-ASCII): the Delta log URL-encodes its paths.
COUNTRIES = ["US", "FR", "Côte d'Ivoire", "a/b 50%"]


def people(start, n, with_email):
    rows = range(start, start + n)
    return pa.table(
        {
            "id": pa.array(list(rows), pa.int64()),
            "name": pa.array([f"Person {i} Smith" for i in rows], pa.string()),
            "email": pa.array(
                [f"person{i}@example.com" if with_email(i) else None for i in rows],
                pa.string(),
            ),
            "phone": pa.array([f"+1 415 555 {i % 10000:04d}" for i in rows], pa.string()),
            "country": pa.array([COUNTRIES[i % len(COUNTRIES)] for i in rows], pa.string()),
        }
    )


def stored_files(root, skip_dirs):
    """Every file under root (relative, '/'-separated), except skip_dirs."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir != "." and rel_dir.split(os.sep)[0] in skip_dirs:
            continue
        for f in filenames:
            rel = os.path.normpath(os.path.join(rel_dir, f)).replace(os.sep, "/")
            if rel.split("/")[0] in skip_dirs:
                continue
            if any(part.startswith(".") for part in rel.split("/")):
                continue  # hidden files (.crc and the like)
            out.append(rel)
    return sorted(out)


def delta_files(root, version=None):
    """The live files as the library lists them (file_uris(): decoded storage
    paths), relative to the table root."""
    dt = DeltaTable(root, version=version)
    prefix = os.path.abspath(root).rstrip("/") + "/"
    out = []
    for uri in dt.file_uris():
        path = uri[len("file://"):] if uri.startswith("file://") else uri
        assert path.startswith(prefix), (path, prefix)
        out.append(path[len(prefix):])
    return out


def delta_report(root):
    dt = DeltaTable(root)
    version = dt.version()
    live = sorted(delta_files(root))
    # The version whose commit removed each file no longer live: the first
    # version at which the library no longer lists it.
    removed_at = {}
    previous = set()
    for v in range(0, version + 1):
        files = set(delta_files(root, v))
        for f in previous - files:
            removed_at.setdefault(f, v)
        for f in files:
            removed_at.pop(f, None)
        previous = files
    by_name = {f.rsplit("/", 1)[-1]: f for f in live}
    stored = stored_files(root, {"_delta_log"})
    not_live = sorted(set(stored) - set(live))
    schema = json.loads(dt.schema().to_json())
    return {
        "format": "delta",
        "version": str(version),
        "live": live,
        # get_add_actions() gives the log's (URL-encoded) paths: matched to
        # the live files by file name, which is never escaped.
        "live_partition_values": {
            by_name[a["path"].rsplit("/", 1)[-1]]: {
                k[len("partition."):]: v for k, v in a.items() if k.startswith("partition.")
            }
            for a in pa.table(dt.get_add_actions(flatten=True)).to_pylist()
        },
        "stored_not_live": not_live,
        "removed_at": {f: str(removed_at[f]) for f in not_live if f in removed_at},
        "partition_columns": list(dt.metadata().partition_columns),
        "schema_columns": [[f["name"], f["type"] if isinstance(f["type"], str) else json.dumps(f["type"])] for f in schema["fields"]],
    }


def make_delta_people(root):
    # v0: create, partitioned; v1, v2: appends; v3: delete the rows with emails.
    write_deltalake(root, people(0, 40, lambda i: i % 3 == 0), partition_by=["country"])
    write_deltalake(root, people(40, 40, lambda i: True), mode="append", partition_by=["country"])
    write_deltalake(root, people(80, 40, lambda i: False), mode="append", partition_by=["country"])
    DeltaTable(root).delete("email IS NOT NULL")


def make_delta_checkpoint(root):
    write_deltalake(root, people(0, 10, lambda i: i % 2 == 0), partition_by=["country"])
    for k in range(1, 12):
        write_deltalake(root, people(k * 10, 10, lambda i: i % 2 == 0), mode="append", partition_by=["country"])
    DeltaTable(root).delete("id < 25")
    DeltaTable(root).create_checkpoint()
    write_deltalake(root, people(200, 10, lambda i: True), mode="append", partition_by=["country"])
    DeltaTable(root).delete("id >= 205")


ICEBERG_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "name", StringType(), required=False),
    NestedField(3, "email", StringType(), required=False),
    NestedField(4, "phone", StringType(), required=False),
    NestedField(5, "country", StringType(), required=False),
)


def make_iceberg(catalog, name, codec, format_version=2):
    spec = PartitionSpec(PartitionField(source_id=5, field_id=1000, transform=IdentityTransform(), name="country"))
    props = {"format-version": str(format_version)}
    if codec is not None:
        props["write.avro.compression-codec"] = codec
    table = catalog.create_table(f"db.{name}", schema=ICEBERG_SCHEMA, partition_spec=spec, properties=props)
    table.append(people(0, 40, lambda i: i % 3 == 0))
    table.append(people(40, 40, lambda i: True))
    table.append(people(80, 40, lambda i: False))
    table.delete(NotNull("email"))
    return catalog.load_table(f"db.{name}")


def iceberg_report(table):
    location = table.metadata.location.rstrip("/")
    local_root = location[len("file://"):] if location.startswith("file://") else location

    def rel(path):
        assert path.startswith(location + "/"), (path, location)
        return path[len(location) + 1:]

    files = table.inspect.files().to_pylist()
    live = sorted(rel(f["file_path"]) for f in files if f["content"] == 0)
    deletes = sorted(rel(f["file_path"]) for f in files if f["content"] != 0)
    stored = stored_files(os.path.join(local_root, "data"), set())
    stored = ["data/" + s for s in stored]
    snap = table.current_snapshot()
    spec = table.spec()
    return {
        "format": "iceberg",
        "version": str(snap.snapshot_id),
        "sequence_number": snap.sequence_number,
        "metadata_file": rel(table.metadata_location),
        "root": local_root,
        "live": live,
        "live_partition_values": {
            rel(f["file_path"]): {k: (None if v is None else str(v)) for k, v in f["partition"].items()}
            for f in files
            if f["content"] == 0
        },
        "delete_files": deletes,
        "stored_not_live": sorted(set(stored) - set(live) - set(deletes)),
        "partition_columns": [f.name for f in spec.fields],
        "schema_columns": [[f.name, str(f.field_type)] for f in table.schema().fields],
        "manifest_list": rel(snap.manifest_list),
        "manifests": sorted(rel(m.manifest_path) for m in snap.manifests(table.io)),
    }


def make_hostile(out, manifest):
    h = os.path.join(out, "hostile")
    os.makedirs(h)

    def copy(src, name):
        dst = os.path.join(h, name)
        shutil.copytree(os.path.join(out, src), dst)
        return dst

    # A commit JSON cut in the middle of an action.
    d = copy("delta_people", "delta_corrupt_commit")
    p = os.path.join(d, "_delta_log", "00000000000000000002.json")
    with open(p, "rb") as f:
        data = f.read()
    with open(p, "wb") as f:
        f.write(data[: len(data) // 2])
    # A commit missing in the middle of the log.
    d = copy("delta_people", "delta_missing_commit")
    os.remove(os.path.join(d, "_delta_log", "00000000000000000001.json"))
    # _last_checkpoint names a checkpoint that is not there.
    d = copy("delta_checkpoint", "delta_missing_checkpoint")
    with open(os.path.join(d, "_delta_log", "_last_checkpoint")) as f:
        last = json.load(f)
    os.remove(os.path.join(d, "_delta_log", "%020d.checkpoint.parquet" % last["version"]))
    # _last_checkpoint whose size disagrees with the checkpoint it names.
    d = copy("delta_checkpoint", "delta_checkpoint_size_mismatch")
    p = os.path.join(d, "_delta_log", "%020d.checkpoint.parquet" % last["version"])
    with open(p, "ab") as f:
        f.write(b"\0" * 100)
    # The live snapshot names a data file that was deleted from storage.
    d = copy("delta_people", "delta_missing_data")
    gone = manifest["delta_people"]["live"][0]
    os.remove(os.path.join(d, gone))
    manifest["hostile_delta_missing_data"] = {"missing": [gone]}
    # Iceberg: the current snapshot's manifest list, and one manifest, gone.
    src = manifest["iceberg_people"]
    for name, victim in [
        ("iceberg_missing_manifest_list", src["manifest_list"]),
        ("iceberg_missing_manifest", src["manifests"][0]),
    ]:
        dst = os.path.join(h, name)
        shutil.copytree(src["root"], dst)
        os.remove(os.path.join(dst, victim))
    # Iceberg: a manifest cut in the middle of a block.
    dst = os.path.join(h, "iceberg_truncated_manifest")
    shutil.copytree(src["root"], dst)
    p = os.path.join(dst, src["manifests"][0])
    with open(p, "rb") as f:
        data = f.read()
    with open(p, "wb") as f:
        f.write(data[: len(data) * 2 // 3])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_tables.py OUTDIR")
    out = os.path.abspath(sys.argv[1])
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    manifest = {}

    make_delta_people(os.path.join(out, "delta_people"))
    manifest["delta_people"] = delta_report(os.path.join(out, "delta_people"))
    make_delta_checkpoint(os.path.join(out, "delta_checkpoint"))
    manifest["delta_checkpoint"] = delta_report(os.path.join(out, "delta_checkpoint"))
    with open(os.path.join(out, "delta_checkpoint", "_delta_log", "_last_checkpoint")) as f:
        manifest["delta_checkpoint"]["last_checkpoint"] = json.load(f)

    warehouse = os.path.join(out, "iceberg", "warehouse")
    os.makedirs(warehouse)
    catalog = SqlCatalog(
        "ferret",
        uri="sqlite:///" + os.path.join(out, "iceberg", "catalog.db"),
        warehouse="file://" + warehouse,
    )
    catalog.create_namespace("db")
    for name, codec, fv in [
        ("people", None, 2),
        ("people_snappy", "snappy", 2),
        ("people_zstd", "zstd", 2),
        ("people_null", "null", 2),
        ("people_v1", None, 1),
    ]:
        table = make_iceberg(catalog, name, codec, fv)
        manifest["iceberg_" + name] = iceberg_report(table)
        manifest["iceberg_" + name]["codec"] = codec or "default"
        manifest["iceberg_" + name]["format_version"] = table.metadata.format_version

    make_hostile(out, manifest)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
    print(f"lake fixtures written to {out}")


if __name__ == "__main__":
    main()
