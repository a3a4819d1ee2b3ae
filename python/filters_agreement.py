"""Do our ingest stage's quality filters keep and drop the same English documents as datatrove's?

  bin/bench filters [--input PATH ...] [--work DIR] [--examples N]

Both sides get the same documents, one JSON line each (written to WORK/corpus.jsonl):
  * a JSONL file (.jsonl, .jsonl.gz): each record's `text`;
  * a text file (.txt): documents separated by a blank line;
then, per file, runs of 2-6 consecutive documents joined by a blank line (seeded), so that short
documents also come as the longer pages the filters are made for. Default input: the bundled sample's
chunks (data/sample/chunk-*: its JSONL and text files; the damaged ones in bad/ give what they can).

Ours: the whole ingest stage with its default configuration (`bin/pipeline ingest`): reading,
normalisation, language ID, the per-language Gopher quality + repetition, C4 document and FineWeb
rules, PII. Compared are the documents it identifies as English (datatrove's rules are English rules),
by byte offset in the corpus file. Datatrove 0.10.1 (the peers virtualenv): GopherQualityFilter,
GopherRepetitionFilter, C4QualityFilter reduced to the document rule our defaults apply (lorem ipsum)
and FineWebQualityFilter, all with their defaults, in that order, on the original text; the first that
drops a document names the reason.

Prints the agreement of the keep/drop decision, the confusion counts and the most common pairs of
reasons where the sides differ; WORK/disagreements.jsonl holds every such document.
"""
import argparse
import collections
import gzip
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path


def documents(path: Path) -> list[str]:
    name = path.name
    if name.endswith(".jsonl") or name.endswith(".jsonl.gz"):
        opener = gzip.open if name.endswith(".gz") else open
        docs = []
        try:
            with opener(path, "rt", encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        text = json.loads(line).get("text")
                    except (ValueError, AttributeError):
                        continue  # our ingest quarantines these; nothing to compare
                    if isinstance(text, str) and text.strip():
                        docs.append(text)
        except (OSError, EOFError) as e:  # a damaged file (the sample has some): what was read before the damage
            print(f"{path}: {e}; {len(docs)} documents read before it", file=sys.stderr)
        return docs
    if name.endswith(".txt"):
        text = path.read_text(encoding="utf-8", errors="replace")
        return [d.strip("\n") for d in text.split("\n\n") if d.strip()]
    raise SystemExit(f"--input {path}: not .jsonl, .jsonl.gz or .txt")


def with_merged_runs(docs: list[str], rng: random.Random) -> list[str]:
    out = list(docs)
    i = 0
    while i < len(docs):
        k = rng.randint(2, 6)
        if len(docs[i:i + k]) > 1:
            out.append("\n\n".join(docs[i:i + k]))
        i += k
    return out


def input_files(paths: list[str], repo: Path) -> list[Path]:
    if not paths:
        paths = [str(p) for p in sorted((repo / "data" / "sample").glob("chunk-*"))]  # not its licence texts
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.name.endswith((".jsonl", ".jsonl.gz", ".txt")))
        elif p.is_file():
            files.append(p)
        else:
            raise SystemExit(f"--input {p}: no such file or directory")
    if not files:
        raise SystemExit(f"no .jsonl, .jsonl.gz or .txt file under {', '.join(paths)}")
    return files


def write_corpus(files: list[Path], corpus: Path) -> dict[int, str]:
    """One JSON line per document; returns byte offset -> text."""
    rng = random.Random(7)
    texts = {}
    with open(corpus, "wb") as out:
        for f in files:
            for text in with_merged_runs(documents(f), rng):
                texts[out.tell()] = text
                out.write((json.dumps({"text": text}, ensure_ascii=False) + "\n").encode("utf-8"))
    return texts


def run_ours(repo: Path, corpus: Path, root: Path) -> dict[int, tuple[str, str | None]]:
    """offset -> (lang, None when kept or the reason it was rejected)."""
    import pyarrow.parquet as pq

    cmd = [str(repo / "bin/pipeline"), "ingest", "--chunk", "filters", "--root", str(root),
           "--set", f'ingest.input.paths=["{corpus}"]', "--set", "pipeline.progress-interval-s=0"]
    log = root.parent / "ingest.log"
    with open(log, "w") as f:
        if subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode != 0:
            raise SystemExit(f"our ingest failed: see {log}")
    ours = {}
    for f in sorted((root / "docs" / "chunk=filters").rglob("*.parquet")):
        lang = f.parent.name.removeprefix("lang=")
        for r in pq.read_table(f, columns=["offset"]).to_pylist():
            ours[r["offset"]] = (lang, None)
    for f in sorted((root / "rejected" / "chunk=filters").rglob("*.parquet")):
        for r in pq.read_table(f, columns=["offset", "lang", "reason"]).to_pylist():
            ours[r["offset"]] = (r["lang"], r["reason"])
    return ours


def datatrove_filters():
    from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter

    c4_lorem_only = C4QualityFilter(remove_citations=False, filter_no_terminal_punct=False, min_num_sentences=-1,
                                    min_words_per_line=-1, max_word_length=-1, filter_javascript=False,
                                    filter_curly_bracket=False, filter_policy=False)
    return [GopherQualityFilter(), GopherRepetitionFilter(), c4_lorem_only, FineWebQualityFilter()]


def datatrove_reason(filters, text: str) -> str | None:
    from datatrove.data import Document

    for f in filters:
        verdict = f.filter(Document(text=text, id="0"))
        if verdict is not True:
            return verdict[1] if isinstance(verdict, tuple) else type(f).__name__
    return None


MARKER = ".lmforge-bench-filters"


def fresh_work_dir(work: Path) -> Path:
    """WORK/root for our ingest, emptied if an earlier run of this command made WORK; never someone else's files."""
    if work.exists() and any(work.iterdir()) and not (work / MARKER).exists():
        raise SystemExit(f"--work {work}: not empty and not made by bin/bench filters; give a new directory")
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).touch()
    root = work / "root"
    shutil.rmtree(root, ignore_errors=True)
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--input", nargs="*", default=[])
    ap.add_argument("--work", default=None)
    ap.add_argument("--examples", type=int, default=8)
    args = ap.parse_args()
    repo = Path(args.repo).resolve()
    work = Path(args.work or repo / "target" / "bench-filters").resolve()
    root = fresh_work_dir(work)

    texts = write_corpus(input_files(args.input, repo), work / "corpus.jsonl")
    print(f"documents: {len(texts):,} (with merged runs) -> {work / 'corpus.jsonl'}", flush=True)
    ours = run_ours(repo, work / "corpus.jsonl", root)
    missing = set(texts) - set(ours)
    if missing:
        raise SystemExit(f"{len(missing)} documents have no outcome in our ingest's output (first offset {min(missing)})")
    english = sorted(o for o, (lang, _) in ours.items() if lang == "en" and o in texts)
    print(f"identified as English by our ingest: {len(english):,}", flush=True)
    if not english:
        raise SystemExit("no English document to compare: give --input with English text")

    filters = datatrove_filters()
    confusion = collections.Counter()
    pairs = collections.Counter()
    with open(work / "disagreements.jsonl", "w", encoding="utf-8") as out:
        for o in english:
            ours_reason = ours[o][1]
            dt_reason = datatrove_reason(filters, texts[o])
            confusion[(ours_reason is None, dt_reason is None)] += 1
            if (ours_reason is None) != (dt_reason is None):
                pairs[(ours_reason or "kept", dt_reason or "kept")] += 1
                out.write(json.dumps({"offset": o, "ours": ours_reason or "kept", "datatrove": dt_reason or "kept",
                                      "text": texts[o]}, ensure_ascii=False) + "\n")
    report(confusion, pairs, len(english), args.examples, work)


def report(confusion, pairs, n, examples, work: Path) -> None:
    same = confusion[(True, True)] + confusion[(False, False)]
    print()
    print("| | datatrove keeps | datatrove drops |")
    print("|---|---|---|")
    print(f"| ours keeps | {confusion[(True, True)]:,} | {confusion[(True, False)]:,} |")
    print(f"| ours drops | {confusion[(False, True)]:,} | {confusion[(False, False)]:,} |")
    print(f"\nsame decision: {same:,} of {n:,} English documents ({100.0 * same / n:.1f} %)")
    if pairs:
        print("\nwhere they differ (ours / datatrove, first failing rule):")
        for (o, d), c in pairs.most_common(examples):
            print(f"  {c:5,}  {o} / {d}")
        print(f"every such document: {work / 'disagreements.jsonl'}")


if __name__ == "__main__":
    sys.exit(main())
