"""Interop helper for avrobak's tests, run with Debian's python3-avro
(Apache Avro's reference Python implementation).

  interop.py codecs          print the codecs this avro library supports
  interop.py read FILE       print FILE's codec, metadata and records as JSON
  interop.py write FILE [CODEC]  write a file of known records (default codec deflate)
"""
import base64
import datetime
import decimal
import json
import sys
import uuid

import avro.codecs
import avro.datafile
import avro.io
import avro.schema


def plain(v):
    """Render a decoded Avro value as JSON-ready data."""
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def read(path):
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        meta = {k: v.decode("utf-8", "replace") for k, v in reader.meta.items()}
        records = [plain(r) for r in reader]
        reader.close()
    json.dump({"codec": meta.get("avro.codec"), "meta": meta, "records": records}, sys.stdout)


SCHEMA = {
    "type": "record", "name": "Sample", "namespace": "org.example",
    "fields": [
        {"name": "id", "type": "int"},
        {"name": "big", "type": "long"},
        {"name": "name", "type": ["null", "string"]},
        {"name": "score", "type": ["double", "null"]},
        {"name": "ratio", "type": "float"},
        {"name": "ok", "type": "boolean"},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "at", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
        {"name": "at_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "clock", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 3}},
        {"name": "id2", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "blob", "type": "bytes"},
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attrs", "type": {"type": "map", "values": "long"}},
        {"name": "point", "type": {"type": "record", "name": "Point",
                                   "fields": [{"name": "x", "type": "double"}, {"name": "y", "type": "double"}]}},
    ],
}


def write(path, codec):
    utc = datetime.timezone.utc
    rows = [
        {"id": 1, "big": 2**63 - 1, "name": "Zoë ✓", "score": 1.5, "ratio": 0.5, "ok": True,
         "day": datetime.date(2024, 2, 29),
         "at": datetime.datetime(2024, 2, 29, 12, 30, 45, 123456, tzinfo=utc),
         "at_ms": datetime.datetime(1999, 12, 31, 23, 59, 59, 999000, tzinfo=utc),
         "clock": datetime.time(8, 30, 0, 1), "amount": decimal.Decimal("-1234567.891"),
         "id2": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "blob": b"\x00\xffhi",
         "color": "GREEN", "tags": ["a", "b"], "attrs": {"k": -1}, "point": {"x": 1.25, "y": -2.0}},
        {"id": 2, "big": -2**63, "name": None, "score": None, "ratio": -2.0, "ok": False,
         "day": datetime.date(1901, 1, 1), "at": None,
         "at_ms": datetime.datetime(1970, 1, 1, tzinfo=utc),
         "clock": datetime.time(0, 0), "amount": decimal.Decimal("0.000"),
         "id2": "00000000-0000-0000-0000-000000000000", "blob": b"",
         "color": "RED", "tags": [], "attrs": {}, "point": {"x": 0.0, "y": 0.0}},
    ]
    schema = avro.schema.parse(json.dumps(SCHEMA))
    with open(path, "wb") as f:
        writer = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema, codec=codec)
        for r in rows:
            writer.append(r)
        writer.close()


def main():
    cmd = sys.argv[1]
    if cmd == "codecs":
        json.dump(sorted(avro.codecs.KNOWN_CODECS), sys.stdout)
    elif cmd == "read":
        read(sys.argv[2])
    elif cmd == "write":
        write(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "deflate")
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
