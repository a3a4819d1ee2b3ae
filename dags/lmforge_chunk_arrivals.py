"""lmforge on Airflow 3: watch the landing area and announce every chunk that arrives.

Every ``lmforge_arrival_poll_minutes`` this DAG lists the chunk locations of ``lmforge_input_template``
(the path component holding ``{chunk}``: ``/raw/{chunk}/*.jsonl.zst`` -> the directories ``/raw/*``) and
emits one event on the Asset ``lmforge_chunk_arrived`` per chunk not announced before, oldest landing
first, with ``extra = {"chunk", "input", "arrived", "source"}``. The lmforge_chunk_pipeline DAG is
scheduled on that Asset and processes the chunks strictly in arrival order.

A location that changed less than ``lmforge_settle_seconds`` ago (default 120) is left for the next poll,
so a chunk still being uploaded is not announced half-written. An uploader that knows when it is done can
skip the polling and post the event itself (``POST /api/v2/assets/events``, see lmforge_airflow/assets.py).

Variables: lmforge_input_template (required), lmforge_settle_seconds (optional). Reading s3://, gs:// or
hdfs:// needs the fsspec driver (s3fs, gcsfs, pyarrow) in the Airflow environment.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pendulum
from airflow.sdk import DAG, Variable, get_current_context, task

from lmforge_airflow import chunks, events
from lmforge_airflow.assets import CHUNK_ARRIVED

POLL = timedelta(minutes=10)


with DAG(
    dag_id="lmforge_chunk_arrivals",
    description="lmforge: announce each chunk that lands (one lmforge_chunk_arrived event per chunk)",
    schedule=POLL,
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    tags=["lmforge"],
    doc_md=__doc__,
) as dag:

    @task(inlets=[CHUNK_ARRIVED], execution_timeout=timedelta(minutes=10))
    def find_new_chunks(*, inlet_events=None) -> list[dict]:
        template = Variable.get("lmforge_input_template", default=None)
        chunks.check_template(template)
        settle = float(Variable.get("lmforge_settle_seconds", default="120"))
        announced = {a.chunk for a in events.arrivals(inlet_events)}
        landed = chunks.discover(events.filesystem(template), template, settle, datetime.now(timezone.utc))
        new = [a for a in landed if a.chunk not in announced]
        print(f"lmforge: {len(landed)} chunk(s) on the landing area, {len(announced)} announced before, "
              f"{len(new)} new: {[a.chunk for a in new]}")
        return [a.extra() for a in new]

    @task(outlets=[CHUNK_ARRIVED], map_index_template="{{ lmforge_chunk }}", execution_timeout=timedelta(minutes=5))
    def announce(arrival: dict, *, outlet_events=None) -> str:
        get_current_context()["lmforge_chunk"] = arrival["chunk"]
        outlet_events[CHUNK_ARRIVED].extra = arrival
        return arrival["chunk"]

    # one mapped task instance, hence one Asset event, per new chunk; none at all when nothing landed
    announce.expand(arrival=find_new_chunks())
