"""The export's files: entities and individuals' counts as CSV, and the manifest (RULES I-3)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2

ENTITY_COLUMNS = ("subject_kind", "code", "credit_class", "since", "until", "rules", "measures", "flags", "records")


def _name(enum, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix)


def _instant(message, field: str) -> str:
    return getattr(message, field).ToDatetime().isoformat() + "Z" if message.HasField(field) else ""


def entity_row(entity: cpb.ExportedEntity) -> list[str]:
    kind = entity.subject.WhichOneof("id")
    records = [f"{_name(common_pb2.RecordKind, r.kind, 'RECORD_KIND_')}@{r.decided_on.year:04d}-"
               f"{r.decided_on.month:02d}-{r.decided_on.day:02d}" for reason in entity.reasons for r in reason.records]
    return [kind, getattr(entity.subject, kind), _name(common_pb2.CreditClass, entity.credit_class, "CREDIT_CLASS_"),
            _instant(entity, "since"), _instant(entity, "until"), ";".join(r.rule for r in entity.reasons),
            ";".join(entity.measures), ";".join(_name(common_pb2.Flag, f, "FLAG_") for f in entity.flags), ";".join(records)]


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_export(pages: list[cpb.ExportClassesResponse], folder: Path, *, recipient: str) -> dict:
    """Write the files and the manifest into ``folder``; the manifest written."""
    first, last = pages[0], pages[-1]
    entities = [entity_row(e) for page in pages for e in page.entities]
    counts = [[_name(common_pb2.CreditClass, c.credit_class, "CREDIT_CLASS_"), str(c.individuals)] for c in last.individuals]
    files = {"entities.csv": (_csv(ENTITY_COLUMNS, entities), len(entities)),
             "individuals.csv": (_csv(("credit_class", "individuals"), counts), len(counts))}
    manifest = {
        "as_of": _instant(first, "as_of"), "classification_revision": first.revision,
        "rules_version": first.rules_version, "catalogue_version": first.catalogue_version, "recipient": recipient,
        "rule": "I-3: business entities only, records as kind and decision date; individuals as counts",
        "files": {name: {"rows": rows, "sha256": hashlib.sha256(data).hexdigest()} for name, (data, rows) in files.items()},
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = {**{name: data for name, (data, _) in files.items()},
               "manifest.json": (json.dumps(manifest, indent=2) + "\n").encode("utf-8")}
    for name, data in written.items():  # under temporary names first: nothing half-written is left
        (folder / f".{name}.part").write_bytes(data)
    for name in written:
        os.replace(folder / f".{name}.part", folder / name)
    return manifest
