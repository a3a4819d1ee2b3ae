"""The Assets the lmforge DAGs read and write.

``CHUNK_ARRIVED`` gets one event per chunk that landed, ``extra = {"chunk", "input", "arrived", "source"}``:
from the lmforge_chunk_arrivals DAG (it watches the landing area), from a manual trigger that names a
chunk, or from whatever uploads the chunk, through Airflow's REST API::

    POST /api/v2/assets/events  {"asset_id": <id of lmforge_chunk_arrived>, "extra": {"chunk": "20261204",
                                 "input": "s3://raw/20261204/*.jsonl.zst", "arrived": "2026-12-04T06:00:00Z"}}

``CHUNK_DONE`` gets one event per chunk the pipeline finished, ``extra = {"chunk", "outcome"}`` with outcome
``processed`` or ``empty`` (no input files: nothing to curate, later chunks go on).
Each stage's output dataset is an Asset too (``STAGE_OUTPUTS``); its events carry ``{"chunk", "path"}``,
so a downstream DAG (a trainer reading the mix, a dashboard reading the report) can be scheduled on them.
The ``x-lmforge`` URIs name datasets under the configured root, which is known only at run time.
"""
from __future__ import annotations

from airflow.sdk import Asset

GROUP = "lmforge"
CHUNK_ARRIVED = Asset(name="lmforge_chunk_arrived", uri="x-lmforge://chunks/arrived", group=GROUP)
CHUNK_DONE = Asset(name="lmforge_chunk_done", uri="x-lmforge://chunks/done", group=GROUP)

# stage -> (asset name, dataset directory under the root, with {chunk})
_OUTPUTS = {
    "ingest": ("lmforge_docs", "docs/chunk={chunk}"),
    "dedup": ("lmforge_dedup_docs", "dedup/docs/chunk={chunk}"),
    "tokenizer-train": ("lmforge_tokenizer", "tokenizer"),
    "tokenize": ("lmforge_tokens", "tokens/chunk={chunk}"),
    "mix": ("lmforge_mix", "mix/chunk={chunk}"),
    # per train.run below these: models/<run>/chunk=<id>, eval/<run>/chunk=<id>, report/<run>
    "train": ("lmforge_model", "models"),
    "eval": ("lmforge_eval", "eval"),
    "report": ("lmforge_report", "report"),
}
STAGE_OUTPUTS = {
    stage: Asset(name=name, uri=f"x-lmforge://datasets/{path.split('/')[0]}", group=GROUP)
    for stage, (name, path) in _OUTPUTS.items()
}


def output_path(stage: str, root: str, chunk: str) -> str:
    """Where a stage's committed output for the chunk lies (for the Asset event's extra)."""
    return root.rstrip("/") + "/" + _OUTPUTS[stage][1].format(chunk=chunk)
