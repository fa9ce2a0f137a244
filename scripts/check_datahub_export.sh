#!/usr/bin/env bash
# Checks `ferret export --to datahub` with DataHub's own client: every MCP
# deserializes and validates (typed aspects for UPSERTs; tag, term and
# upstream values of PATCHes against their Avro classes), and DataHub's
# `file` ingestion source reads the whole file (file sink, no server).
#
#   bash scripts/check_datahub_export.sh [INVENTORY]   # default: a scan of fixtures/demo
#
# Installs acryl-datahub into target/datahub-venv on first use (network).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/datahub-venv
if [ ! -x "$venv/bin/datahub" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q acryl-datahub
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inv=${1:-}
if [ -z "$inv" ]; then
  inv=$work/inventory.json
  cargo run -q -- scan --quiet fixtures/demo -o "$inv"
fi
# The file source only reads files ending in .json.
cargo run -q -- export "$inv" --to datahub -o "$work/mcps.json"
"$venv/bin/python" - "$work/mcps.json" <<'PY'
import json, sys
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    GlossaryTermAssociationClass, TagAssociationClass, UpstreamClass)
mcps = json.load(open(sys.argv[1]))
checked = 0
for obj in mcps:
    m = MetadataChangeProposalWrapper.from_obj(dict(obj))
    assert m.validate(), (obj["entityUrn"], obj["aspectName"])
    if obj["changeType"] != "PATCH":
        assert isinstance(m, MetadataChangeProposalWrapper), obj["aspectName"]
        continue
    for op in json.loads(obj["aspect"]["value"]):
        p = op["path"]
        cls = (TagAssociationClass if "/globalTags/tags/" in p
               else GlossaryTermAssociationClass if "/glossaryTerms/terms/" in p
               else UpstreamClass if p.startswith("/upstreams/") else None)
        if cls is not None:
            assert cls.from_obj(op["value"]).validate(), p
            checked += 1
print(f"{len(mcps)} MCPs valid, {checked} patch values valid")
PY
cat > "$work/recipe.yml" <<YML
source:
  type: file
  config:
    path: $work/mcps.json
sink:
  type: file
  config:
    filename: $work/roundtrip.json
YML
"$venv/bin/datahub" ingest -c "$work/recipe.yml" >"$work/ingest.log" 2>&1 || { cat "$work/ingest.log"; exit 1; }
python3 - "$work/mcps.json" "$work/roundtrip.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert len(a) == len(b) > 0, (len(a), len(b))
print(f"DataHub's file source read all {len(b)} MCPs")
PY
