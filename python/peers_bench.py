"""lmforge's stages against their Python/Rust peers, per CPU-second, on the same generated input.

    bin/bench peers [--mb 15] [--repeats 2] [--only filters,minhash,chain,bpe] [--work DIR] [--daemon | --spark-submit]

Runs each pair alternately (peer, ours, peer, ours, ...), every run a fresh process on a fresh output
directory, and reads each run's CPU seconds (user + system of the process and the children it waited
for) from the OS (os.wait4). Prints a table and a JSON line (prefix "RESULT ").

  filters  datatrove: JsonlReader -> GopherQualityFilter -> C4QualityFilter -> FineWebQualityFilter ->
           JsonlWriter (LocalPipelineExecutor, 1 task; no language ID)
           ours: the whole ingest stage (read, normalise, language ID, quality signals, PII, quarantine,
           commit), bin/pipeline with Spark local[1]
  minhash  datatrove: its 4 MinHash stages (signatures, buckets, cluster, filter), 14 bands x 8 rows,
           word 5-grams, 64-bit hashes, 1 task each
           ours: the whole dedup stage as configured by default (exact + line + MinHash 14 x 8, word
           5-grams), local[1], on the docs the ingest stage kept from the same input; then, untimed,
           datatrove's stages on exactly those docs: which documents each side removes
  chain    datatrove: filters as above, then its 4 MinHash stages over the same input, one process (its
           English filters keep ~4 % of this multilingual input, too little to deduplicate);
           ours: `bin/pipeline run` with run.stages=[ingest,dedup] (one JVM, one Spark application)
  bpe      HF tokenizers BpeTrainer (1 thread), vocabulary 8,192, our pre-tokenizer, on a text file of the
           documents ours trains on; ours: the whole tokenizer-train stage, local[1], natural language
           balance (tokenizer.train.alpha = 1) so both sides see the same text; then, untimed, HF trained on
           the documents themselves: prints whether that tokenizer is ours (vocabulary, ids, merges in order)

--daemon: our side runs in a pipeline daemon (`bin/pipeline daemon start`, one warm JVM and Spark
application; docs/daemon.md) that the bench starts before the untimed warm-up and stops at the end;
each row first runs our stage once untimed in it, as a daemon that served yesterday's chunk has.
A run's CPU seconds are then the client's (bin/pipeline and its small client JVM, os.wait4) plus what the
daemon process used while the run lasted (utime + stime of all its threads, /proc/PID/stat, read before
and after). The table keeps the best repeat, as for the other rows. Without --daemon, LMFORGE_DAEMON=off:
a daemon the user left running never serves the cold rows.

--spark-submit: our side runs as the Airflow DAG runs it on one machine: `spark-submit --master local[1]`
(pyspark 3.5.7's, bin/python-env spark) of dist/target/pipeline.jar, with the driver options the DAG passes
for a local master (dags/lmforge_airflow/driver_jvm.py) and its class archive (class_archive.py, recorded by
the untimed warm-up under WORK/class-archives, the jar on the driver's class path; LMFORGE_CDS=off: none, as
the DAG with lmforge_class_archive_dir = ""), Spark's own logging.

Input: the bundled sample's documents (data/sample/chunk-*/*.jsonl.gz) cycled to --mb megabytes; every
copy after the first permutes a third of each document's words (new 5-grams, same vocabulary and
script), and one document in ten of a copy is instead a near-duplicate of its original (3 % of words
permuted), so deduplication has real work on both sides.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# ---------- input ----------

def sample_docs(repo: Path) -> list[str]:
    docs = []
    for f in sorted(repo.glob("data/sample/chunk-*/*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as lines:
            docs += [json.loads(line)["text"] for line in lines if line.strip()]
    return [d for d in docs if d and d.strip()]


def permuted(text: str, share: float, rnd: random.Random) -> str:
    """Swaps `share` of the words among themselves, keeping line breaks."""
    lines = [line.split(" ") for line in text.split("\n")]
    slots = [(i, j) for i, words in enumerate(lines) for j in range(len(words))]
    chosen = rnd.sample(slots, int(len(slots) * share))
    moved = [lines[i][j] for i, j in chosen]
    rnd.shuffle(moved)
    for (i, j), w in zip(chosen, moved):
        lines[i][j] = w
    return "\n".join(" ".join(words) for words in lines)


def generate(repo: Path, mb: float, out: Path) -> dict:
    docs, rnd = sample_docs(repo), random.Random(20261204)
    out.parent.mkdir(parents=True, exist_ok=True)
    written, n, copy = 0, 0, 0
    with open(out, "w", encoding="utf-8") as f:
        while written < mb * 1e6:
            for i, d in enumerate(docs):
                text = d if copy == 0 else permuted(d, 0.03 if i % 10 == 0 else 0.33, rnd)
                line = json.dumps({"id": f"gen/{copy}/{i}", "text": text}, ensure_ascii=False) + "\n"
                f.write(line)
                written += len(line.encode("utf-8"))
                n += 1
                if written >= mb * 1e6:
                    break
            copy += 1
    return {"docs": n, "bytes": written, "sample_docs": len(docs)}


# ---------- measuring ----------

def cpu_run(cmd: list[str], log: Path, env: dict | None = None) -> dict:
    """Runs cmd to completion; its CPU seconds (process + waited-for children) and wall seconds."""
    t0 = time.perf_counter()
    with open(log, "w") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"failed ({rc}): {' '.join(cmd)}\n{tail}")
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall}


DAEMON = False  # --daemon: our side runs in a pipeline daemon


def alternate(name: str, repeats: int, peer, ours) -> dict:
    """peer/ours: callables (k) -> {"cpu_s", "wall_s"}; run A/B/A/B and keep every measurement.
    With --daemon, our side runs once untimed first (k = "warm"): the daemon has then run the stage before,
    as a daemon that served yesterday's chunk has."""
    runs = {"peer": [], "ours": []}
    if DAEMON:
        r = ours("warm")
        runs["ours_untimed_warm_up"] = r
        print(f"[peers] {name} ours, untimed warm-up in the daemon: {r['cpu_s']:.1f} CPU-s", flush=True)
    for k in range(repeats):
        for side, fn in (("peer", peer), ("ours", ours)):
            r = fn(k)
            runs[side].append(r)
            split = f" (client {r['client_cpu_s']:.1f} + daemon {r['daemon_cpu_s']:.1f})" if "daemon_cpu_s" in r else ""
            print(f"[peers] {name} {side} #{k + 1}: {r['cpu_s']:.1f} CPU-s{split}, {r['wall_s']:.1f} s wall", flush=True)
    return runs


# ---------- our side ----------

def process_cpu_s(pid: int) -> float:
    """utime + stime of every thread of a running process and of the children it waited for (chmod and the
    like that Hadoop's local file system forks without its native library), in seconds (/proc/PID/stat
    fields 14-17), as os.wait4 counts a cold run's."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class Ours:
    def __init__(self, repo: Path, work: Path, daemon: bool, spark_submit: bool = False):
        self.repo, self.work, self.daemon_pid, self.submit = repo, work, None, None
        os.environ["LMFORGE_DAEMON"] = "auto" if daemon else "off"
        os.environ["LMFORGE_DAEMON_DIR"] = str(work / "daemon")
        if daemon:
            subprocess.run([str(repo / "bin/pipeline"), "daemon", "start"], check=True)
            self.daemon_pid = int((work / "daemon" / "daemon.pid").read_text())
        if spark_submit:
            self.submit = spark_submit_command(repo)

    def command(self, stage: str, root: Path, sets: tuple, submit: list[str] | None = None) -> list[str]:
        """bin/pipeline STAGE (Spark local[1]), or with --spark-submit the DAG's spark-submit of the jar."""
        if submit:
            cmd = [*submit, stage, "--chunk", "bench", "--root", str(root), "--set", "pipeline.progress-interval-s=0"]
        else:
            cmd = [str(self.repo / "bin/pipeline"), stage, "--chunk", "bench", "--root", str(root),
                   "--set", "pipeline.spark.master=local[1]", "--set", "pipeline.spark.shuffle-partitions=2",
                   "--set", "pipeline.progress-interval-s=0"]
        for s in sets:
            cmd += ["--set", s]
        return cmd

    def stop(self) -> None:
        if self.daemon_pid:
            subprocess.run([str(self.repo / "bin/pipeline"), "daemon", "stop"], check=False)

    def pipeline(self, stage: str, root: Path, log: Path, *sets: str) -> dict:
        if self.submit:
            return self.spark_submit(stage, root, log, sets)
        cmd = self.command(stage, root, sets)
        if not self.daemon_pid:
            return cpu_run(cmd, log)
        before = process_cpu_s(self.daemon_pid)
        r = cpu_run(cmd, log)
        r["daemon_cpu_s"] = process_cpu_s(self.daemon_pid) - before
        r["client_cpu_s"] = r["cpu_s"]
        r["cpu_s"] += r["daemon_cpu_s"]
        if "running in the pipeline daemon" not in log.read_text(errors="replace"):
            raise SystemExit(f"--daemon: the daemon did not serve {' '.join(cmd)} (see {log})")
        return r

    def spark_submit(self, stage: str, root: Path, log: Path, sets: tuple) -> dict:
        """As the DAG's stage task: the driver's class archive is recorded by the first run and mapped by the next."""
        from lmforge_airflow import class_archive
        from lmforge_airflow.driver_jvm import LOCAL_DRIVER_JAVA_OPTIONS

        options = f"spark.driver.extraJavaOptions={LOCAL_DRIVER_JAVA_OPTIONS}"
        if os.environ.get("LMFORGE_CDS", "on") == "off":  # as the DAG with lmforge_class_archive_dir = ""
            return cpu_run(self.command(stage, root, sets, [*self.submit[:1], "--conf", options, *self.submit[1:]]), log)
        launch = class_archive.prepare(self.work / "class-archives", self.submit[-1], os.environ, LOCAL_DRIVER_JAVA_OPTIONS)
        if isinstance(launch, str):
            raise SystemExit(f"--spark-submit: no class archive: {launch}")
        submit = [*self.submit[:1], "--conf", f"{options} {launch.java_options}", "--driver-class-path", launch.driver_class_path,
                  *self.submit[1:]]
        r, archive_outcome = launch.run(lambda: cpu_run(self.command(stage, root, sets, submit), log, dict(launch.env)))
        r["class_archive"] = archive_outcome
        return r

    def ingest(self, corpus: Path, root: Path, log: Path) -> dict:
        return self.pipeline("ingest", root, log, f'ingest.input.paths=["{corpus}"]')


def spark_submit_command(repo: Path) -> list[str]:
    """spark-submit of the jar as the Airflow DAG starts it for a local master (its driver options)."""
    subprocess.run([str(repo / "bin/pipeline"), "--help"], check=True, stdout=subprocess.DEVNULL)  # builds the jar if needed
    python = subprocess.run([str(repo / "bin/python-env"), "spark"], check=True, capture_output=True, text=True).stdout.strip()
    home = subprocess.run([python, "-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    sys.path.insert(0, str(repo / "dags"))
    os.environ.update({"SPARK_HOME": home, "SPARK_LOCAL_IP": "127.0.0.1", "OMP_WAIT_POLICY": "PASSIVE"})
    # the jar last: Ours.spark_submit adds the DAG's driver options and class archive after the first element
    return [f"{home}/bin/spark-submit", "--master", "local[1]", "--conf", "spark.sql.shuffle.partitions=2", "--driver-memory", "6g",
            "--class", "io.lmforge.core.cli.PipelineMain", str(repo / "dist/target/pipeline.jar")]


def copy_root(src: Path, dst: Path, datasets: list[str]) -> None:
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for d in datasets:
        if (src / d).exists():
            shutil.copytree(src / d, dst / d)


# ---------- peer side (each runs in its own process: python peers_bench.py _peer KIND ...) ----------

def peer_filters(corpus: str, out: str) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter, GopherQualityFilter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    LocalPipelineExecutor(pipeline=[
        JsonlReader(str(Path(corpus).parent), glob_pattern=Path(corpus).name),
        GopherQualityFilter(), C4QualityFilter(), FineWebQualityFilter(),
        JsonlWriter(out + "/kept")], tasks=1, workers=1, logging_dir=out + "/logs").run()


def peer_minhash(corpus: str, out: str) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    config = MinhashConfig(hash_config=HashConfig(precision=64), num_buckets=14, hashes_per_bucket=8, n_grams=5)
    read = lambda: JsonlReader(str(Path(corpus).parent), glob_pattern=Path(corpus).name)  # noqa: E731
    stages = [
        [read(), MinhashDedupSignature(output_folder=out + "/signatures", config=config)],
        [MinhashDedupBuckets(input_folder=out + "/signatures", output_folder=out + "/buckets", config=config)],
        [MinhashDedupCluster(input_folder=out + "/buckets", output_folder=out + "/remove_ids", config=config)],
        [read(), MinhashDedupFilter(input_folder=out + "/remove_ids"), JsonlWriter(out + "/deduped")],
    ]
    for i, pipeline in enumerate(stages):
        tasks = config.num_buckets if i == 1 else 1  # the buckets stage runs one task per band, as in datatrove's example
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=f"{out}/logs{i}").run()


def peer_bpe(tokenizer_json: str, corpus_txt: str, out: str) -> None:
    """Timed: HF's trainer on a text file of the documents, its fastest and usual route (it cuts the documents at
    their line breaks and keeps each line's newline, so its merges differ a little from ours; the untimed
    same_tokenizer check below trains on the documents themselves)."""
    from hf_tokenizers import like  # python/, beside this file

    tok, trainer = like(tokenizer_json)
    tok.train([corpus_txt], trainer)
    tok.save(out)


def same_tokenizer(ours_json: Path, docs: list[str], hf_json: Path) -> str:
    """Untimed: HF's trainer on each document as one sequence, as ours reads them (train_from_iterator, ~2x the
    CPU of training from a file); "yes" when both tokenizers have the same vocabulary, ids and merges in the same
    order, else the first difference."""
    from hf_tokenizers import like  # python/, beside this file

    tok, trainer = like(str(ours_json))
    tok.train_from_iterator(docs, trainer)
    tok.save(str(hf_json))
    ours, hf = (json.loads(p.read_text(encoding="utf-8"))["model"] for p in (ours_json, hf_json))
    if ours["vocab"] != hf["vocab"]:
        diff = next((t for t in hf["vocab"] if ours["vocab"].get(t) != hf["vocab"][t]), None)
        return f"no: {len(ours['vocab'])} vs {len(hf['vocab'])} tokens, first difference {diff!r}"
    text = lambda m: m if isinstance(m, str) else " ".join(m)  # noqa: E731  (HF writes [left, right] since 0.20)
    for i, (a, b) in enumerate(zip(map(text, ours["merges"]), map(text, hf["merges"]))):
        if a != b:
            return f"no: merge {i} is {a!r} here, {b!r} in HF's"
    return "yes" if len(ours["merges"]) == len(hf["merges"]) else "no: a different number of merges"


def peer_chain(corpus: str, out: str) -> None:
    """Both curation steps in one process: the quality filters, then the MinHash stages over the same input.
    Not over what the filters kept: their English rules keep ~4 % of this multilingual input (529 of 11,971
    documents at 15 MB), which would leave MinHash almost nothing to do, while our dedup stage works on the
    ~64 % our ingest keeps; the chain is the sum of the filters and minhash rows' work, in one process."""
    peer_filters(corpus, out + "/filters")
    peer_minhash(corpus, out + "/minhash")


def peer(kind: str, *args: str) -> list[str]:
    return [sys.executable, os.path.abspath(__file__), "_peer", kind, *args]


# ---------- the three comparisons ----------

def datatrove_side(kind: str, corpus: Path, work: Path):
    """The peer side of a datatrove comparison: run k in a fresh output directory."""
    def run(k):
        out = work / f"dt-{kind}-{k}"
        shutil.rmtree(out, ignore_errors=True)
        return cpu_run(peer(kind, str(corpus), str(out)), work / f"dt-{kind}-{k}.log")
    return run


def bench_filters(ours: Ours, corpus: Path, work: Path, repeats: int) -> dict:
    def b(k):
        root = work / f"ours-ingest-{k}"
        shutil.rmtree(root, ignore_errors=True)
        return ours.ingest(corpus, root, work / f"ours-ingest-{k}.log")
    return alternate("filters", repeats, datatrove_side("filters", corpus, work), b)


def ingested_once(ours: Ours, corpus: Path, work: Path) -> Path:
    """Our ingest's output over the input (the filters row's first run, or an untimed one), for the later rows."""
    ingested = work / "ours-ingest-0"
    if not (ingested / "docs").exists():
        ours.ingest(corpus, ingested, work / "ours-ingest-setup.log")
    return ingested


def bench_minhash(ours: Ours, corpus: Path, work: Path, repeats: int) -> dict:
    ingested = ingested_once(ours, corpus, work)

    def b(k):
        root = work / f"ours-dedup-{k}"
        copy_root(ingested, root, ["docs", "rejected", "_chunks"])
        return ours.pipeline("dedup", root, work / f"ours-dedup-{k}.log")
    runs = alternate("minhash", repeats, datatrove_side("minhash", corpus, work), b)
    runs["agreement"] = minhash_agreement(work / "ours-dedup-0", work)
    return runs


# written without spaces between words: datatrove's default (English) word tokenizer keeps their clauses whole,
# so its 5-grams are of clauses; ours are of ICU dictionary words (README, dedup)
UNSPACED = {"zh", "ja", "th", "lo", "km", "my"}


def minhash_agreement(ours_root: Path, work: Path) -> dict:
    """Untimed: datatrove's 4 MinHash stages, set up as in the timed runs, on exactly the documents our dedup saw
    (our ingest's kept documents, ids = our doc_id): which documents each side removes. The timed datatrove runs
    read the raw input instead, as its users do, so their output is not comparable to ours."""
    import pyarrow.dataset as ds
    docs = ds.dataset(str(ours_root / "docs/chunk=bench"), format="parquet", partitioning="hive").to_table(
        columns=["doc_id", "lang", "text"]).to_pylist()
    kept = set(ds.dataset(str(ours_root / "dedup/docs/chunk=bench"), format="parquet", partitioning="hive").to_table(
        columns=["doc_id"]).column("doc_id").to_pylist())
    out = work / "minhash-agreement"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with open(out / "docs.jsonl", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"id": d["doc_id"], "text": d["text"]}, ensure_ascii=False) + "\n")
    cpu_run(peer("minhash", str(out / "docs.jsonl"), str(out / "datatrove")), out / "datatrove.log")
    kept_dt = set()
    for part in sorted((out / "datatrove" / "deduped").glob("*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as f:
            kept_dt.update(json.loads(line)["id"] for line in f)
    result = {}
    for group, members in (("spaced", [d for d in docs if d["lang"] not in UNSPACED]),
                           ("unspaced", [d for d in docs if d["lang"] in UNSPACED])):
        ids = [d["doc_id"] for d in members]
        ours_removed = {i for i in ids if i not in kept}
        dt_removed = {i for i in ids if i not in kept_dt}
        result[group] = {"docs": len(ids), "both": len(ours_removed & dt_removed),
                         "only_ours": len(ours_removed - dt_removed), "only_datatrove": len(dt_removed - ours_removed)}
    line = "; ".join(f"{'languages with spaces' if g == 'spaced' else '/'.join(sorted(UNSPACED))} ({r['docs']:,} docs): "
                     f"both {r['both']:,}, only ours {r['only_ours']:,}, only datatrove {r['only_datatrove']:,}"
                     for g, r in result.items())
    print(f"[peers] minhash: documents each side removes from the {len(docs):,} our dedup saw (untimed): {line}", flush=True)
    return result


def bench_chain(ours: Ours, corpus: Path, work: Path, repeats: int) -> dict:
    """Both curation stages in one process per side: our `run` shares one JVM and Spark application."""
    def b(k):
        root = work / f"ours-chain-{k}"
        shutil.rmtree(root, ignore_errors=True)
        return ours.pipeline("run", root, work / f"ours-chain-{k}.log", f'ingest.input.paths=["{corpus}"]', "run.stages=[ingest,dedup]")
    return alternate("chain", repeats, datatrove_side("chain", corpus, work), b)


def bench_bpe(ours: Ours, corpus: Path, work: Path, repeats: int) -> dict:
    deduped = work / "ours-dedup-0"
    if not (deduped / "dedup").exists():
        copy_root(ingested_once(ours, corpus, work), deduped, ["docs", "rejected", "_chunks"])
        ours.pipeline("dedup", deduped, work / "ours-dedup-setup.log")
    text = work / "bpe-corpus.txt"
    import pyarrow.dataset as ds
    docs = ds.dataset(str(deduped / "dedup/docs/chunk=bench"), format="parquet").to_table(columns=["text"]).column("text").to_pylist()
    text.write_text("\n".join(docs) + "\n", encoding="utf-8")
    settings = ["tokenizer.train.alpha=1", "tokenizer.train.chunks=[bench]"]

    def b(k):
        root = work / f"ours-bpe-{k}"
        copy_root(deduped, root, ["docs", "rejected", "dedup", "_chunks"])
        return ours.pipeline("tokenizer-train", root, work / f"ours-bpe-{k}.log", *settings)

    first = b(0)  # our tokenizer.json gives the peer the same pre-tokenizer; not counted
    tokenizer_json = next((work / "ours-bpe-0/tokenizer").glob("*/tokenizer.json"))

    def a(k):
        return cpu_run(peer("bpe", str(tokenizer_json), str(text), str(work / f"hf-bpe-{k}.json")), work / f"hf-bpe-{k}.log")
    runs = alternate("bpe", repeats, a, b)
    runs["text_bytes"] = text.stat().st_size
    runs["same_tokenizer"] = same_tokenizer(tokenizer_json, docs, work / "hf-bpe-same-docs.json")
    print(f"[peers] bpe: HF's tokenizer is ours (vocabulary, ids, merges in order): {runs['same_tokenizer']}", flush=True)
    runs["untimed_first_ours"] = first
    return runs


def summarise(name: str, runs: dict, docs: int, mb: float) -> dict:
    best = {side: min(r["cpu_s"] for r in runs[side]) for side in ("peer", "ours")}
    ratio = best["peer"] / best["ours"]
    print(f"| {name} | {best['peer']:.1f} | {best['ours']:.1f} | {docs / best['peer']:.0f} | {docs / best['ours']:.0f} "
          f"| {mb / best['peer']:.3f} | {mb / best['ours']:.3f} | **{ratio:.2f}** |")
    return {"peer_cpu_s": best["peer"], "ours_cpu_s": best["ours"], "ratio_peer_over_ours": ratio, "runs": runs}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "_peer":
        {"filters": peer_filters, "minhash": peer_minhash, "chain": peer_chain, "bpe": peer_bpe}[sys.argv[2]](*sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--mb", type=float, default=15)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--only", default="filters,minhash,chain,bpe")
    ap.add_argument("--work")
    ap.add_argument("--daemon", action="store_true", help="run our side in a pipeline daemon (docs/daemon.md)")
    ap.add_argument("--spark-submit", action="store_true", help="run our side as the Airflow DAG does with a local master")
    a = ap.parse_args()
    if a.daemon and a.spark_submit:
        ap.error("--daemon and --spark-submit exclude each other")
    repo = Path(a.repo)
    work = Path(a.work or repo / "target" / f"bench-peers-{a.mb:g}mb")
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "input" / "corpus.jsonl"
    info = generate(repo, a.mb, corpus)
    mb = info["bytes"] / 1e6
    print(f"[peers] input {corpus}: {info['docs']:,} docs, {mb:.1f} MB (from {info['sample_docs']:,} sample docs)", flush=True)
    global DAEMON
    DAEMON = a.daemon
    ours, wanted, results, measured = Ours(repo, work, a.daemon, a.spark_submit), a.only.split(","), {}, {}
    try:
        run_all(ours, repo, work, corpus, info, wanted, a, results, measured)
    finally:
        ours.stop()


def run_all(ours: Ours, repo: Path, work: Path, corpus: Path, info: dict, wanted: list, a, results: dict, measured: dict) -> None:
    mb = info["bytes"] / 1e6
    # untimed: builds the jar if needed and lets bin/pipeline record its class archive (AppCDS), as any
    # user's first run does; every timed run below then starts the way a user's later runs start
    tiny = work / "input-warmup" / "one.jsonl"
    tiny.parent.mkdir(parents=True, exist_ok=True)
    tiny.write_text(corpus.open(encoding="utf-8").readline(), encoding="utf-8")
    shutil.rmtree(work / "warmup", ignore_errors=True)
    warm = ours.ingest(tiny, work / "warmup", work / "warmup.log")
    # the warm-up's recording (pipeline.jsa.rec.PID) becomes pipeline.jsa at the next launch: either means the timed runs map it
    archives = [repo / "dist/target/pipeline.jsa", *(repo / "dist/target").glob("pipeline.jsa.rec.*[0-9]")]
    if a.spark_submit:  # the DAG's own archive, published by the warm-up when its spark-submit succeeded
        archives = list((work / "class-archives").glob("lmforge-driver-*.jsa"))
    cds = (not a.daemon and (a.spark_submit or os.environ.get("LMFORGE_CDS", "on") != "off")
           and any(f.exists() and f.stat().st_size > 64_000_000 for f in archives))
    side = "in a pipeline daemon" if a.daemon else "spark-submit --master local[1] per run" if a.spark_submit else "a new JVM per run"
    print(f"[peers] warm-up ingest of 1 document: {warm['cpu_s']:.1f} CPU-s; class archive (AppCDS): "
          f"{'n/a (the daemon is started once)' if a.daemon else 'on' if cds else 'off'}; our side: {side}", flush=True)
    for name, fn in (("filters", bench_filters), ("minhash", bench_minhash), ("chain", bench_chain), ("bpe", bench_bpe)):
        if name in wanted:
            measured[name] = fn(ours, corpus, work, a.repeats)
    print("\n| work (same input) | peer CPU-s | ours CPU-s | peer docs/CPU-s | ours docs/CPU-s | peer MB/CPU-s | ours MB/CPU-s | peer / ours |")
    print("|---|---|---|---|---|---|---|---|")
    labels = {"filters": "quality filters (datatrove) vs ingest stage", "minhash": "MinHash dedup (datatrove) vs dedup stage",
              "chain": "filters then MinHash (datatrove) vs `run` of ingest + dedup, one JVM",
              "bpe": "BPE training (HF tokenizers) vs tokenizer-train stage"}
    for name, runs in measured.items():
        size = runs.get("text_bytes", info["bytes"]) / 1e6
        results[name] = summarise(labels[name] + (", pipeline daemon" if a.daemon else ", spark-submit" if a.spark_submit else ""),
                                  runs, info["docs"], size)
    print("(best of the repeats per side; ratio > 1: ours uses fewer CPU-seconds)")
    print("RESULT " + json.dumps({"input": info, "cds": cds, "daemon": a.daemon, "spark_submit": a.spark_submit, "results": results}), flush=True)


if __name__ == "__main__":
    main()
