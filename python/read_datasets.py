"""Reads every dataset of a pipeline root the way the README shows, with pandas, pyarrow and DuckDB.

    .venv/readers/bin/python python/read_datasets.py ROOT RUN

For each dataset it checks that the three readers see the same rows, that `chunk` (and `lang`) are
strings equal to the directory names (chunk 0001 stays "0001", never the integer 1), and that no
column is duplicated by a partition directory; it prints one JSON object: dataset -> {rows, chunks}.
Exit status 1 with the reason on the first disagreement.
"""
import json
import os
import sys

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq


def hive(*keys):
    """Partition directories chunk=ID[/lang=L] read as strings (pyarrow would infer 0001 -> int 1)."""
    return ds.partitioning(pa.schema([(k, pa.string()) for k in keys]), flavor="hive")


def datasets(root, run):
    """(name, directory, partition keys, DuckDB glob) for every Parquet dataset under the root."""
    out = [("docs", "docs", ("chunk", "lang"), "docs/*/*/*.parquet"),
           ("rejected", "rejected", ("chunk",), "rejected/*/*.parquet"),
           ("dedup/docs", "dedup/docs", ("chunk", "lang"), "dedup/docs/*/*/*.parquet"),
           ("dedup/duplicates", "dedup/duplicates", ("chunk",), "dedup/duplicates/*/*.parquet"),
           ("tokens", "tokens", ("chunk", "lang"), "tokens/*/*/*.parquet"),
           ("metrics", f"models/{run}/metrics", ("chunk",), f"models/{run}/metrics/*/*.parquet"),
           ("anytime", f"eval/{run}/anytime", ("chunk",), f"eval/{run}/anytime/*/*.parquet"),
           ("lineage", f"pbt/{run}/lineage", ("chunk",), f"pbt/{run}/lineage/*/*.parquet")]
    return [d for d in out if os.path.isdir(os.path.join(root, d[1]))]


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def check_chunks(name, reader, values, root, directory):
    on_disk = sorted(d[len("chunk="):] for d in os.listdir(os.path.join(root, directory)) if d.startswith("chunk="))
    seen = sorted(set(values))
    if any(not isinstance(v, str) for v in seen):
        fail(f"{name} via {reader}: chunk values are not strings: {seen[:5]}")
    if not set(seen) <= set(on_disk):
        fail(f"{name} via {reader}: chunk values {seen} are not the directory names {on_disk}")
    return seen


def read_one(root, name, directory, keys, glob):
    path = os.path.join(root, directory)
    frame = pd.read_parquet(path, partitioning=hive(*keys))
    table = ds.dataset(path, format="parquet", partitioning=hive(*keys)).to_table()
    types = ", ".join(f"'{k}': VARCHAR" for k in keys)
    source = f"read_parquet('{os.path.join(root, glob)}', hive_partitioning = true, hive_types = {{{types}}})"
    duck_rows = duckdb.sql(f"SELECT count(*) FROM {source}").fetchall()[0][0] if table.num_rows else 0
    for f in ds.dataset(path, format="parquet", partitioning=hive(*keys)).files:
        stored = [k for k in keys if k in pq.read_schema(f).names]
        if stored:
            fail(f"{name}: {f} stores {stored}, which its directory already names (readers would see the column twice)")
    for k in keys:
        if list(frame.columns).count(k) != 1 or table.schema.names.count(k) != 1:
            fail(f"{name}: column {k} appears {list(frame.columns).count(k)} times")
        if table.schema.field(k).type != pa.string():
            fail(f"{name} via pyarrow: {k} is {table.schema.field(k).type}, not string")
    if not (len(frame) == table.num_rows == duck_rows):
        fail(f"{name}: pandas {len(frame)} rows, pyarrow {table.num_rows}, DuckDB {duck_rows}")
    chunks = check_chunks(name, "pandas", [v for v in frame["chunk"]], root, directory)
    check_chunks(name, "pyarrow", table.column("chunk").to_pylist(), root, directory)
    if table.num_rows:
        check_chunks(name, "DuckDB", [r[0] for r in duckdb.sql(f"SELECT DISTINCT chunk FROM {source}").fetchall()], root, directory)
    return {"rows": len(frame), "chunks": chunks}


def main():
    if len(sys.argv) != 3:
        fail("usage: read_datasets.py ROOT RUN")
    root, run = sys.argv[1], sys.argv[2]
    found = {name: read_one(root, name, directory, keys, glob) for name, directory, keys, glob in datasets(root, run)}
    print(json.dumps(found, sort_keys=True))


if __name__ == "__main__":
    main()
