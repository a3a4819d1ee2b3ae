"""Reading the chunk Assets' event history inside a task (Airflow 3 ``inlet_events``)."""
from __future__ import annotations

import fsspec

from lmforge_airflow import chunks
from lmforge_airflow.assets import CHUNK_ARRIVED, CHUNK_DONE


def _as_dicts(results) -> list[dict]:
    return [{"extra": dict(r.extra or {}), "timestamp": r.timestamp} for r in results]


def arrivals(inlet_events) -> list[chunks.Arrival]:
    """Every chunk announced so far, in arrival order (the task must declare CHUNK_ARRIVED as an inlet)."""
    return chunks.arrival_order(_as_dicts(inlet_events[CHUNK_ARRIVED]))


def done(inlet_events) -> dict[str, str]:
    """chunk -> outcome of its latest CHUNK_DONE event (the task must declare CHUNK_DONE as an inlet)."""
    outcomes = {}
    for e in _as_dicts(inlet_events[CHUNK_DONE]):
        if e["extra"].get("chunk"):
            outcomes[str(e["extra"]["chunk"])] = e["extra"].get("outcome", "processed")
    return outcomes


def filesystem(path: str):
    """The fsspec filesystem of a path or URL (local, s3://, gs://, hdfs://: install its fsspec driver)."""
    fs, _ = fsspec.core.url_to_fs(path.split("{")[0] or "/")
    return fs
