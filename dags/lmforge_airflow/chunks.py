"""Chunks on the landing area and their arrival order, without Airflow.

A chunk's input is ``lmforge_input_template`` with ``{chunk}`` filled in (``/raw/{chunk}/*.jsonl.zst``,
``s3://bucket/in/chunk-{chunk}``). The path component holding ``{chunk}`` names the chunk's *location*
(``/raw/0003``, ``s3://bucket/in/chunk-0003``): a chunk has arrived when its location exists, and is
*empty* when its input has no file that ingest would read (same rules as the jar's InputResolver:
directories are read recursively; names starting with ``.`` or ``_`` and ``.crc`` files are skipped).

Arrival order is the order in which chunks landed: an arrival event's ``extra["arrived"]`` (the location's
modification time, ISO-8601 UTC), else the time Airflow recorded the event; ties by chunk id.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

PLACEHOLDER = "{chunk}"
CHUNK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Arrival:
    """One chunk that landed: its id, its input (glob or path), when it landed, where the news came from,
    and how to train it when the announcement says ("" = as lmforge_conf says)."""
    chunk: str
    input: str
    arrived: str
    source: str = ""
    train_mode: str = ""

    def extra(self) -> dict:
        extra = {"chunk": self.chunk, "input": self.input, "arrived": self.arrived, "source": self.source}
        return {**extra, "train_mode": self.train_mode} if self.train_mode else extra


def check_template(template: str | None) -> None:
    if not template:
        raise ValueError("Variable lmforge_input_template is not set: give the input of a chunk with {chunk}, e.g. /raw/{chunk}/*.jsonl.zst")
    if template.count(PLACEHOLDER) != 1:
        raise ValueError(f"lmforge_input_template must contain {PLACEHOLDER} exactly once, e.g. /raw/{PLACEHOLDER}/*.jsonl.zst; got {template!r}")


def location_pattern(template: str) -> tuple[str, re.Pattern]:
    """The template cut after the path component holding {chunk}: a glob of chunk locations, and a regex
    that takes the chunk id out of a location."""
    check_template(template)
    start = template.index(PLACEHOLDER)
    end = template.find("/", start)
    location = template if end < 0 else template[:end]
    before, after = location.split(PLACEHOLDER)
    regex = re.compile(re.escape(_strip_scheme(before)) + "(?P<chunk>" + CHUNK_ID.pattern + ")" + re.escape(after) + "$")
    return location.replace(PLACEHOLDER, "*"), regex


def chunk_input(template: str, chunk: str) -> str:
    check_template(template)
    if not CHUNK_ID.fullmatch(chunk):
        raise ValueError(f"chunk id {chunk!r}: use letters, digits, '.', '_' or '-' (not starting with '.', '_' or '-')")
    return template.replace(PLACEHOLDER, chunk)


def discover(fs, template: str, settle_seconds: float, now: datetime) -> list[Arrival]:
    """Chunks whose location exists and has not changed for settle_seconds (an upload still in progress
    is not announced), oldest first. `fs` is an fsspec filesystem for the template's scheme."""
    pattern, regex = location_pattern(template)
    found = []
    for location in fs.glob(_strip_scheme(pattern)):
        m = regex.search(location)
        if not m:
            continue
        modified = _newest_modification(fs, location) or now  # a store without times: settled when seen
        if modified != now and (now - modified).total_seconds() < settle_seconds:
            continue
        chunk = m.group("chunk")
        found.append(Arrival(chunk, chunk_input(template, chunk), iso(modified), "landing area"))
    return sorted(found, key=lambda a: (a.arrived, a.chunk))


def input_files(fs, input_glob: str) -> list[str]:
    """The files ingest would read for this input: globs expanded, directories listed recursively."""
    files = []
    for match in fs.glob(_strip_scheme(input_glob)):
        paths = fs.find(match) if fs.isdir(match) else [match]
        files += [p for p in paths if _readable_name(p.rstrip("/").rsplit("/", 1)[-1])]
    return sorted(set(files))


def arrival_order(events: Iterable[dict]) -> list[Arrival]:
    """Unique chunks of the arrival events (dicts with 'extra' and 'timestamp'), in arrival order.
    The first event of a chunk counts; events without a chunk id are ignored."""
    first: dict[str, Arrival] = {}
    for e in events:
        extra = e.get("extra") or {}
        chunk = extra.get("chunk")
        if not chunk or chunk in first:
            continue
        arrived = extra.get("arrived") or iso(e["timestamp"])
        first[chunk] = Arrival(str(chunk), extra.get("input") or "", arrived, extra.get("source") or "", extra.get("train_mode") or "")
    return sorted(first.values(), key=lambda a: (a.arrived, a.chunk))


def pending(arrivals: list[Arrival], done: Iterable[str]) -> list[Arrival]:
    finished = set(done)
    return [a for a in arrivals if a.chunk not in finished]


def tokenizer_task(configured: str | None) -> tuple[str, str]:
    """The tokenizer task's jar command and its ``tokenizer.train.chunks`` (HOCON) for the Variable
    ``lmforge_tokenizer_chunks`` (a JSON list, or None when unset).

    Set: ``tokenizer-train`` on those chunks (up to date, it skips in seconds). Unset: ``run`` with
    ``run.stages = [tokenizer-train]``, the jar's own rule: train once, on the first chunk that runs with
    no tokenizer committed, which passes over a chunk that kept no document (a first chunk whose every record
    was rejected), so the next chunk with text trains it; later chunks find it committed and frozen.
    """
    if configured is None or not configured.strip():
        return "run", "[]"
    values = json.loads(configured)
    if not isinstance(values, list) or not values:
        raise ValueError(f"lmforge_tokenizer_chunks must be a non-empty JSON list of chunk ids, got {configured!r}")
    return "tokenizer-train", json.dumps([str(v) for v in values])


def _readable_name(name: str) -> bool:
    return not (name.startswith(".") or name.startswith("_") or name.endswith(".crc"))


def _newest_modification(fs, location: str) -> datetime | None:
    paths = fs.find(location, withdirs=True) if fs.isdir(location) else []
    stamps = [s for s in (_modified(fs, p) for p in [location] + paths) if s is not None]
    return max(stamps) if stamps else None


def _modified(fs, path: str) -> datetime | None:
    try:
        m = fs.modified(path)
    except (NotImplementedError, FileNotFoundError, OSError):
        return None
    return m if m.tzinfo else m.replace(tzinfo=timezone.utc)


def iso(t: datetime) -> str:
    if isinstance(t, str):
        return t
    t = t if t.tzinfo else t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _strip_scheme(path: str) -> str:
    """fsspec filesystems return paths without the scheme (s3://b/k -> b/k, file:///x -> /x)."""
    if "://" not in path:
        return path
    scheme, rest = path.split("://", 1)
    return rest if scheme != "file" else "/" + rest.lstrip("/")
