#!/usr/bin/env python3
"""Builds data/sample/ from the shared corpus (../shared/data/corpus): three arrival chunks in
three formats, plus deliberately bad records. Deterministic; re-run it to regenerate.

  chunk-0001/  JSON Lines, gzip-compressed (one file per source), + bad records
  chunk-0002/  plain text, documents separated by blank lines (one file per source/language)
  chunk-0003/  a Common Crawl style WET file (gzip member per record), with some documents
               that re-arrive from chunk 0001 (exact and edited copies, for dedup)

Every source/language file is split into three contiguous parts, one per chunk, each capped at
CAP bytes, so every chunk holds every language.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import sys
import uuid

CAP = 34_000  # bytes of text per source/language/chunk
HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "..", "shared", "data", "corpus")
SOURCES = ["ud", "gnome-help", "oldi-seed"]
LICENSES = {"ud": ["MANIFEST.tsv", "treebanks.json"], "gnome-help": ["COPYRIGHT", "README.md", "MANIFEST.tsv"],
            "oldi-seed": ["LICENSE", "README.md", "SOURCE.md", "MANIFEST.tsv", "bibliography.bib"]}
URL_BASE = {"ud": "https://universaldependencies.org/sample", "gnome-help": "https://help.gnome.org/sample",
            "oldi-seed": "https://oldi.org/sample/seed"}


def documents(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [d.strip("\n") for d in text.split("\n\n") if d.strip()]


def split3(docs):
    n = len(docs)
    parts = [docs[: n // 3], docs[n // 3: 2 * n // 3], docs[2 * n // 3:]]
    out = []
    for p in parts:
        kept, size = [], 0
        for d in p:
            b = len(d.encode("utf-8"))
            if size + b > CAP and kept:
                break
            kept.append(d)
            size += b
        out.append(kept)
    return out


def lang_of(name):
    return name[:-4]


def warc_record(headers, body):
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode("utf-8") + body + b"\r\n\r\n"


def sha1_b32(b):
    return "sha1:" + base64.b32encode(hashlib.sha1(b).digest()).decode()


def main():
    rng = random.Random(20261122)
    for c in ["chunk-0001", "chunk-0002", "chunk-0003"]:
        shutil.rmtree(os.path.join(HERE, c), ignore_errors=True)
        os.makedirs(os.path.join(HERE, c))
    os.makedirs(os.path.join(HERE, "chunk-0002", "text"), exist_ok=True)
    lic_dir = os.path.join(HERE, "licenses")
    shutil.rmtree(lic_dir, ignore_errors=True)
    os.makedirs(lic_dir)

    chunk1_docs = []  # (source, lang, idx, text) re-used by chunk 3
    wet_records = []
    stats = {}
    for source in SOURCES:
        sdir = os.path.join(SRC, source)
        for lic in LICENSES[source]:
            os.makedirs(os.path.join(lic_dir, source), exist_ok=True)
            shutil.copy(os.path.join(sdir, lic), os.path.join(lic_dir, source, lic))
        if source == "ud":
            shutil.copytree(os.path.join(sdir, "licenses"), os.path.join(lic_dir, "ud", "treebanks"))
        lines = []
        for name in sorted(os.listdir(sdir)):
            if not name.endswith(".txt"):
                continue
            lang = lang_of(name)
            parts = split3(documents(os.path.join(sdir, name)))
            stats[(source, lang)] = [len(p) for p in parts]
            for i, d in enumerate(parts[0]):
                rec = {"id": f"{source}/{lang}/0001/{i}", "text": d, "url": f"{URL_BASE[source]}/{lang}/{i}",
                       "source_dataset": source, "source_lang": lang}
                lines.append(json.dumps(rec, ensure_ascii=False))
                chunk1_docs.append((source, lang, i, d))
            with open(os.path.join(HERE, "chunk-0002", "text", f"{source}-{lang}.txt"), "w", encoding="utf-8") as f:
                f.write("\n\n".join(parts[1]) + "\n")
            for i, d in enumerate(parts[2]):
                wet_records.append((f"{URL_BASE[source]}/{lang}/c3-{i}", lang, d))
        with gzip.GzipFile(os.path.join(HERE, "chunk-0001", f"{source}.jsonl.gz"), "wb", mtime=0) as f:
            f.write(("\n".join(lines) + "\n").encode("utf-8"))

    # Re-arrivals in chunk 3: exact copies and lightly edited copies of chunk-1 documents.
    picks = rng.sample([d for d in chunk1_docs if len(d[3]) > 400], 40)
    for k, (source, lang, i, d) in enumerate(picks):
        if k % 2 == 0:
            text = d  # exact re-crawl
        else:
            words = d.split(" ")
            j = rng.randrange(len(words))
            words.insert(j, words[j])  # one duplicated word: a near-duplicate
            text = " ".join(words)
        wet_records.append((f"{URL_BASE[source]}/{lang}/{i}?recrawl=1", lang, text))

    out = io.BytesIO()
    info = b"software: lmforge data/sample/build_sample.py\r\nformat: WARC File Format 1.0\r\n"
    info_id = f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>"
    out.write(gzip.compress(warc_record([("WARC-Type", "warcinfo"), ("WARC-Date", "2026-11-03T00:00:00Z"),
                                         ("WARC-Filename", "sample-0003.warc.wet.gz"), ("WARC-Record-ID", info_id),
                                         ("Content-Type", "application/warc-fields")], info), mtime=0))
    for url, lang, text in wet_records:
        body = text.encode("utf-8")
        rid = f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>"
        ref = f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>"
        out.write(gzip.compress(warc_record([("WARC-Type", "conversion"), ("WARC-Target-URI", url),
                                             ("WARC-Date", "2026-11-03T00:00:00Z"), ("WARC-Record-ID", rid),
                                             ("WARC-Refers-To", ref), ("WARC-Block-Digest", sha1_b32(body)),
                                             ("WARC-Identified-Content-Language", lang),
                                             ("Content-Type", "text/plain")], body), mtime=0))
    with open(os.path.join(HERE, "chunk-0003", "sample-0003.warc.wet.gz"), "wb") as f:
        f.write(out.getvalue())

    write_bad_records(os.path.join(HERE, "chunk-0001", "bad"), chunk1_docs, rng)
    print(f"languages: {len(set(l for _, l in stats))} (source/language pairs: {len(stats)})")
    print(f"chunk docs: {sum(v[0] for v in stats.values())} / {sum(v[1] for v in stats.values())} / "
          f"{sum(v[2] for v in stats.values())} (+{len(picks)} re-arrivals in chunk 3)")


def write_bad_records(d, docs, rng):
    """Records a real crawl delivers: each must end up in rejected/ with its reason."""
    os.makedirs(d)
    en = next(t for s, l, i, t in docs if s == "ud" and l == "en" and len(t) > 300)
    good = json.dumps({"text": en, "note": "valid record among bad ones"}, ensure_ascii=False).encode()
    pii = ("Contact the maintainers at help.desk@example-mail.org or call +1 202 555 0143 for support. "
           "The mirror at 8.8.4.4 answers faster than the internal host 192.168.1.20, which stays as it is.")
    pii_doc = json.dumps({"text": en + "\n" + pii, "note": "PII to redact"}, ensure_ascii=False).encode()
    lines = [
        good,
        b'{"text": "unterminated string, broken JSON',
        b'{"text": "caf\xe9 au lait: latin-1 bytes, not UTF-8", "note": "invalid utf-8"}',
        b'{"body": "no text field here"}',
        b'{"text": 12345}',
        b'["an array, not an object"]',
        b'{"text": "   "}',
        pii_doc,
    ]
    with open(os.path.join(d, "mixed-bad.jsonl"), "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    # a gzip stream cut in the middle
    full = gzip.compress(("\n".join(json.dumps({"text": t}, ensure_ascii=False) for _, _, _, t in docs[:30]) + "\n").encode(), mtime=0)
    with open(os.path.join(d, "truncated.jsonl.gz"), "wb") as f:
        f.write(full[: len(full) // 2])
    open(os.path.join(d, "empty.jsonl"), "wb").close()
    with open(os.path.join(d, "binary-garbage.jsonl"), "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(3000)))
    with open(os.path.join(d, "not-really.jsonl.gz"), "wb") as f:
        f.write(b"this file claims to be gzip but is plain text\n")


if __name__ == "__main__":
    sys.exit(main())
