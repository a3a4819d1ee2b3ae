"""Checks the lmforge Airflow DAGs under the pinned Airflow 3 (bin/python-env airflow).

    python airflow_dag_check.py DAGS_DIR                  import both DAGs (zero DagBag errors), their task
                                                          graphs, Assets, pools and timeouts, and the
                                                          arrival-order rules of lmforge_airflow.chunks
    python airflow_dag_check.py DAGS_DIR --scenario LANDING
                                                          + real DAG runs (dag.test) of two arriving chunks:
      1. lmforge_chunk_arrivals finds LANDING/chunk-0001 and announces it;
      2. LANDING/chunk-0002 lands empty, and a manual trigger names 0002 (out of order: 0001 is pending):
         that run processes 0001, the earliest pending chunk, through every stage (spark-submit);
      3. the next run (what the scheduler starts on 0001's done event) takes 0002: empty -> chunk_empty,
         stage tasks skipped, done event with outcome "empty";
      4. the watcher announces nothing new, and a last run finds nothing pending (every task skipped).

The caller sets AIRFLOW_HOME (a scratch directory), the lmforge_spark connection and the lmforge_*
variables (AIRFLOW_CONN_*/AIRFLOW_VAR_* environment; lmforge_input_template = LANDING/chunk-{chunk},
lmforge_settle_seconds = 0), and puts spark-submit on PATH. Prints one JSON line (prefixed "RESULT ")
with what was checked; exits non-zero on the first failed check.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

PIPELINE = "lmforge_chunk_pipeline"
ARRIVALS = "lmforge_chunk_arrivals"
STAGE_TASKS = ["ingest", "dedup", "tokenizer_train", "tokenize", "mix", "train", "eval", "report"]
CONTROL_TASKS = ["announce_requested", "select_chunk", "branch_on_input", "chunk_empty", "chunk_done"]


def check(condition: bool, message: str) -> None:
    if not condition:
        print("CHECK FAILED: " + message, file=sys.stderr)
        sys.exit(1)


def load_dags(dags_dir: str):
    from airflow.models.dagbag import DagBag

    bag = DagBag(dag_folder=dags_dir, include_examples=False)
    check(not bag.import_errors, f"DagBag import errors: {bag.import_errors}")
    found = {d: bag.dags.get(d) for d in (PIPELINE, ARRIVALS)}  # not get_dag(): that reads the metadata DB
    check(all(found.values()), f"DAGs {list(found)} in {dags_dir} (found {sorted(bag.dag_ids)})")
    return found[PIPELINE], found[ARRIVALS]


def check_pipeline_graph(dag) -> dict:
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
    from lmforge_airflow.assets import CHUNK_ARRIVED, CHUNK_DONE

    check(sorted(dag.task_ids) == sorted(STAGE_TASKS + CONTROL_TASKS), f"tasks {sorted(dag.task_ids)}")
    check(dag.get_task("ingest").upstream_task_ids == {"branch_on_input"}, "ingest runs after branch_on_input")
    check(dag.get_task("chunk_empty").upstream_task_ids >= {"branch_on_input"}, "chunk_empty is the other branch")
    for prev, cur in zip(STAGE_TASKS, STAGE_TASKS[1:]):
        check(dag.get_task(cur).upstream_task_ids == {prev}, f"{cur} runs after exactly {prev}")
    check("report" in dag.get_task("chunk_done").upstream_task_ids, "chunk_done after report")
    for tid in STAGE_TASKS:
        t = dag.get_task(tid)
        check(isinstance(t, SparkSubmitOperator), f"{tid} is a SparkSubmitOperator")
        check(t._java_class == "io.lmforge.core.cli.PipelineMain" and t._conn_id == "lmforge_spark", f"{tid} main class, connection")
        check(t.pool == "lmforge_spark", f"{tid} runs in the lmforge_spark pool")
        check(t.execution_timeout is not None and t.execution_timeout > timedelta(0), f"{tid} has a timeout")
        check(len(t.outlets) == 1 and t.outlets[0].name.startswith("lmforge_"), f"{tid} declares its output Asset")
        check((t.env_vars or {}).get("OMP_WAIT_POLICY") == "PASSIVE", f"{tid} starts spark-submit with OMP_WAIT_POLICY=PASSIVE")
        stage = tid.replace("_", "-")
        command = "{{ ti.xcom_pull(task_ids='select_chunk')['tokenizer_command'] }}" if stage == "tokenizer-train" else stage
        check(t.application_args[0] == command and "--chunk" in t.application_args, f"{tid} runs stage {stage}: {t.application_args}")
    for t in dag.tasks:
        check(t.execution_timeout is not None, f"{t.task_id} has a timeout")
    check(dag.max_active_runs == 1, "max_active_runs == 1 (one chunk at a time)")
    scheduled_on = {a.name for _, a in dag.timetable.asset_condition.iter_assets()} if hasattr(dag.timetable, "asset_condition") else set()
    check(scheduled_on == {CHUNK_ARRIVED.name, CHUNK_DONE.name}, f"scheduled on the chunk Assets, got {dag.timetable.summary}")
    return {"pipeline_tasks": len(dag.task_ids), "pipeline_schedule": sorted(scheduled_on),
            "outlets": {t: dag.get_task(t).outlets[0].name for t in STAGE_TASKS}}


def check_arrival_rules() -> dict:
    """lmforge_airflow.chunks on a scratch landing area: locations, empty inputs, order by landing time."""
    import fsspec
    from lmforge_airflow import chunks

    fs = fsspec.filesystem("file")
    with tempfile.TemporaryDirectory() as d:
        for name, files in {"chunk-b": ["x.jsonl"], "chunk-a": ["_SUCCESS", ".part", "y.txt.crc"], "other": ["z.jsonl"]}.items():
            (Path(d) / name).mkdir()
            for f in files:
                (Path(d) / name / f).write_text("{}\n")
        os.utime(Path(d) / "chunk-b" / "x.jsonl", (1_000, 1_000))
        os.utime(Path(d) / "chunk-b", (1_000, 1_000))
        template = d + "/chunk-{chunk}"
        now = datetime.now(timezone.utc)
        landed = chunks.discover(fs, template, 60, now)
        check([a.chunk for a in landed] == ["b"], f"chunk-a changed just now (not settled), other/ is no chunk: {landed}")
        check([a.chunk for a in chunks.discover(fs, template, 0, now)] == ["b", "a"], "settled chunks oldest landing first")
        check(chunks.input_files(fs, d + "/chunk-a") == [], "markers, hidden and .crc files are not input")
        check(len(chunks.input_files(fs, d + "/chunk-b")) == 1, "chunk-b has one input file")
    # announced 11:00, 11:30, 12:00; 0001 landed at 09:00 but was seen last, 0002 (a trigger) carries no landing time
    t0 = datetime(2026, 12, 1, 11, tzinfo=timezone.utc)
    events = [{"extra": {"chunk": "0003", "arrived": "2026-12-01T10:00:00.000000Z"}, "timestamp": t0},
              {"extra": {"chunk": "0002"}, "timestamp": t0 + timedelta(minutes=30)},
              {"extra": {"chunk": "0001", "arrived": "2026-12-01T09:00:00.000000Z"}, "timestamp": t0 + timedelta(hours=1)},
              {"extra": {"chunk": "0003"}, "timestamp": t0 + timedelta(hours=3)}, {"extra": {}, "timestamp": t0}]
    order = [a.chunk for a in chunks.arrival_order(events)]
    check(order == ["0001", "0003", "0002"], f"arrival order by landing time, first event per chunk: {order}")
    check([a.chunk for a in chunks.pending(chunks.arrival_order(events), {"0001"})] == ["0003", "0002"], "pending")
    try:
        chunks.chunk_input("/raw/{chunk}", "../etc")
        check(False, "a chunk id with a path in it is refused")
    except ValueError:
        pass
    check(chunks.tokenizer_task(None) == ("run", "[]"), "no Variable: run's rule, the first chunk with text trains the tokenizer")
    check(chunks.tokenizer_task('["0003"]') == ("tokenizer-train", '["0003"]'), "the Variable names the training chunks")
    try:
        chunks.tokenizer_task("[]")
        check(False, "an empty lmforge_tokenizer_chunks is refused")
    except ValueError:
        pass
    return {"arrival_rules": "ok"}


def check_driver_options(repo: Path) -> dict:
    """lmforge_airflow.driver_jvm: bin/pipeline's JIT and GC flags for a local master only, the Variable and a
    properties file that sets spark.driver.extraJavaOptions win, and the flags are bin/pipeline's own."""
    import re

    from lmforge_airflow import driver_jvm as d

    block = re.search(r"tuning=\((.*?)\)\n(.*?)\nfi", (repo / "bin/pipeline").read_text(), re.S)
    check(block is not None, "bin/pipeline's tuning block")
    launcher = set(re.findall(r"-XX:[\w+=-]+", block.group(0)))
    check(launcher == set(d.LOCAL_DRIVER_JAVA_OPTIONS.split()), f"the DAG's driver flags are bin/pipeline's: {sorted(launcher)}")
    check(d.driver_java_options("local[2]", None) == d.LOCAL_DRIVER_JAVA_OPTIONS and d.driver_java_options("local", None), "local master")
    for master in ("yarn", "spark://h:7077", "k8s://https://h:443"):
        check(d.driver_java_options(master, None) is None, f"nothing added for {master}")
    check(d.driver_java_options("local[2]", "") is None and d.driver_java_options("yarn", " -Xss4m ") == "-Xss4m", "the Variable wins")
    with tempfile.TemporaryDirectory() as t:
        props = Path(t) / "spark.conf"
        props.write_text("spark.executor.memory 2g\n  spark.driver.extraJavaOptions=-XX:+UseG1GC\n")
        check(d.driver_java_options("local[2]", None, str(props)) is None, "a properties file that sets the key wins")
        props.write_text("spark.driver.extraJavaOptionsX 1\nspark.driver.memory 4g\n")
        check(d.driver_java_options("local[2]", None, str(props)) == d.LOCAL_DRIVER_JAVA_OPTIONS, "other keys do not count")
    return {"driver_options": "ok"}


def check_class_archive() -> dict:
    """lmforge_airflow.class_archive on a made-up JDK, Spark and jar: record, publish, map, a new key when a jar
    changes, discard, abandoned recordings, and no archive where the JVM could not record one."""
    import time

    from lmforge_airflow import class_archive as c
    from lmforge_airflow import driver_jvm as d

    with tempfile.TemporaryDirectory() as t:
        t = Path(t)
        for f in ("jdk/bin/java", "spark/jars/spark-core.jar", "spark/jars/scala-library.jar", "dist/pipeline.jar"):
            (t / f).parent.mkdir(parents=True, exist_ok=True)
            (t / f).write_bytes(b"x")
        env = {"JAVA_HOME": str(t / "jdk"), "SPARK_HOME": str(t / "spark"), "PATH": os.defpath}
        jar, store, opts = str(t / "dist/pipeline.jar"), t / "archives", d.LOCAL_DRIVER_JAVA_OPTIONS
        first = c.prepare(store, jar, env, opts)
        check(isinstance(first, c.Launch) and first.recording and f"-XX:ArchiveClassesAtExit={first.recording}" in first.java_options
              and first.driver_class_path == jar, f"the first run records: {first}")
        first.recording.write_bytes(b"archive")  # what the JVM writes at exit
        first.publish()
        again = c.prepare(store, jar, env, opts)
        check(first.archive.is_file() and not first.recording.exists() and again.recording is None
              and again.java_options.startswith(f"-XX:SharedArchiveFile={first.archive} "), f"the next run maps it: {again}")
        os.utime(t / "spark/jars/scala-library.jar", ns=(time.time_ns(), time.time_ns() - 10**9))
        changed = c.prepare(store, jar, env, opts)
        check(changed.recording and changed.archive != first.archive, "a changed Spark jar is a new key")
        def failing_submit():
            changed.recording.write_bytes(b"half")  # the JVM exits after the stage failed: it still writes
            raise RuntimeError("spark-submit exited 1")
        try:
            changed.run(failing_submit)
            check(False, "a failed spark-submit's error reaches the task")
        except RuntimeError:
            pass
        check(not changed.recording.exists() and first.archive.exists(), "a failed run's recording is not kept")
        result, outcome = changed.run(lambda: changed.recording.write_bytes(b"new") and "ran")
        check(result == "ran" and outcome.startswith("recorded") and changed.archive.read_bytes() == b"new"
              and not first.archive.exists(), f"a successful run publishes, removing the old key's archive: {outcome}")
        check(c.prepare(store, jar, env, opts + " -Xss4m").recording is not None, "other JVM options are another key")
        import socket
        host = socket.gethostname()
        dead = store / (c.PREFIX + "x" + c.SUFFIX + c.RECORDING + host + "-999999999")
        live = store / (c.PREFIX + "y" + c.SUFFIX + c.RECORDING + host + f"-{os.getpid()}")
        other_host = store / (c.PREFIX + "z" + c.SUFFIX + c.RECORDING + "elsewhere-999999999")
        for f in (dead, live, other_host):
            f.write_bytes(b"")
        c.prepare(store, jar, env, opts)
        check(not dead.exists() and live.exists() and other_host.exists(),
              "a killed task's recording is removed; a running one's and another host's are kept")
        (t / "spark/conf").mkdir()
        check(isinstance(c.prepare(store, jar, env, opts), c.Launch), "an empty Spark conf directory is fine")
        (t / "spark/conf/spark-defaults.conf.template").write_text("#")
        shipped = c.prepare(store, jar, env, opts)  # a distribution's conf/: templates only
        check(isinstance(shipped, c.Launch) and shipped.env == {"SPARK_CONF_DIR": str(store / "empty-conf")}
              and not any((store / "empty-conf").iterdir()), f"templates only: an empty conf directory instead: {shipped}")
        (t / "spark/conf/spark-defaults.conf").write_text("spark.driver.memory 2g\n")
        refused = {"conf dir holds files": c.prepare(store, jar, env, opts),
                   "HADOOP_CONF_DIR": c.prepare(store, jar, {**env, "SPARK_CONF_DIR": str(t / "jdk"), "HADOOP_CONF_DIR": str(t / "spark")}, opts),
                   "SPARK_DIST_CLASSPATH": c.prepare(store, jar, {**env, "SPARK_CONF_DIR": str(t / "x"), "SPARK_DIST_CLASSPATH": "/a"}, opts),
                   "space": c.prepare(t / "a b", jar, {**env, "SPARK_CONF_DIR": str(t / "x")}, opts)}
        free, c.MIN_FREE_BYTES = c.MIN_FREE_BYTES, 1 << 62
        refused["disk full"] = c.prepare(store, jar, {**env, "SPARK_CONF_DIR": str(t / "x")}, opts)
        c.MIN_FREE_BYTES = free
        check(all(isinstance(r, str) for r in refused.values()), f"no archive where the JVM could not record one: {refused}")
        dist = t / "opt/spark-3.5/bin"
        dist.mkdir(parents=True)
        (dist / "spark-submit").write_text("#!/bin/sh\n"), (dist / "spark-submit").chmod(0o755)
        check(c.spark_home({"PATH": str(dist)}) == t / "opt/spark-3.5", "a distribution's spark-submit on PATH")
        (dist / "find_spark_home.py").write_text("")
        check(isinstance(c.spark_home({"PATH": str(dist)}), str), "pyspark's spark-submit without SPARK_HOME")
        props = t / "spark.conf"
        props.write_text("spark.driver.extraClassPath=/x.jar\n")
        check(d.sets_key(str(props), c.PROPERTIES[0]) and not d.sets_key(str(props)), "properties file keys")
        for agent in ({"JAVA_TOOL_OPTIONS": "-javaagent:/otel.jar"}, {"SPARK_SUBMIT_OPTS": "-XX:StartFlightRecording"}):
            check(isinstance(c.prepare(store, jar, {**env, "SPARK_CONF_DIR": str(t / "x"), **agent}, opts), str), f"no archive with {agent}")
    return {"class_archive": "ok"}


def run_dag(dag, conf=None):
    """One dag.test run. Name every param that must be unset: dag.test keeps the previous run's values."""
    for t in dag.tasks:
        t.retries = 0  # a failure should fail the check now, not after the retry delay
    run = dag.test(logical_date=None, run_conf=conf or {})
    states = {ti.task_id + ("" if ti.map_index < 0 else f"[{ti.map_index}]"): str(ti.state) for ti in run.get_task_instances()}
    check(str(run.state) == "success", f"{dag.dag_id} run state {run.state}; tasks {states}")
    return states


def asset_events(name: str) -> list[dict]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(select(AssetEvent).join(AssetEvent.asset).where(AssetModel.name == name).order_by(AssetEvent.timestamp))
        return [dict(e.extra or {}) for e in rows]


def scenario(pipeline, arrivals, landing: Path, trigger_train_mode: str) -> dict:
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "airflow", "pools", "set", "lmforge_spark", "1", "lmforge spark-submit jobs"],
                   check=True, stdout=subprocess.DEVNULL)
    states = {}
    states["watch_1"] = run_dag(arrivals)
    check([e["chunk"] for e in asset_events("lmforge_chunk_arrived")] == ["0001"], "the watcher announced chunk 0001")

    (landing / "chunk-0002").mkdir()  # lands empty
    states["trigger_0002"] = s = run_dag(pipeline, {"chunk": "0002", "train_mode": trigger_train_mode})
    check(s["announce_requested"] == "success", f"the trigger announced 0002: {s}")
    check(all(s[t] == "success" for t in STAGE_TASKS + ["chunk_done"]) and s["chunk_empty"] == "skipped", f"0001 ran every stage: {s}")
    check([(e["chunk"], e["outcome"]) for e in asset_events("lmforge_chunk_done")] == [("0001", "processed")],
          "the run triggered for 0002 processed 0001, which arrived first")
    models = asset_events("lmforge_model")
    check(len(models) == 1 and models[0].get("chunk") == "0001" and models[0]["path"].endswith("/models"), f"stage Assets name the chunk: {models}")

    arrived = asset_events("lmforge_chunk_arrived")
    check(arrived[1].get("train_mode") == trigger_train_mode and "train_mode" not in arrived[0], f"the mode travels with 0002: {arrived}")
    states["after_done_0001"] = s = run_dag(pipeline, {"chunk": None, "train_mode": None})
    check(s["chunk_empty"] == "success" and all(s[t] == "skipped" for t in STAGE_TASKS + ["chunk_done"]), f"0002 is empty: {s}")
    done = [(e["chunk"], e["outcome"]) for e in asset_events("lmforge_chunk_done")]
    check(done == [("0001", "processed"), ("0002", "empty")], f"done events {done}")

    states["watch_2"] = s = run_dag(arrivals)
    check(len(asset_events("lmforge_chunk_arrived")) == 2, "nothing announced twice")
    states["nothing_pending"] = s = run_dag(pipeline, {"chunk": None})
    check(s["select_chunk"] == "skipped" and all(s[t] == "skipped" for t in STAGE_TASKS), f"nothing pending: {s}")
    return {"runs": states, "done": done, "arrived": [e["chunk"] for e in asset_events("lmforge_chunk_arrived")]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dags_dir")
    ap.add_argument("--scenario", metavar="LANDING")
    ap.add_argument("--trigger-train-mode", default="averaging", choices=["averaging", "pbt"])
    a = ap.parse_args()
    check("AIRFLOW_HOME" in os.environ, "AIRFLOW_HOME is set (a scratch directory)")
    sys.path.insert(0, a.dags_dir)
    pipeline, arrivals = load_dags(a.dags_dir)
    result = check_pipeline_graph(pipeline)
    result["arrivals_schedule"] = str(arrivals.timetable.summary)
    result.update(check_arrival_rules())
    result.update(check_driver_options(Path(a.dags_dir).resolve().parent))
    result.update(check_class_archive())
    if a.scenario:
        result.update(scenario(pipeline, arrivals, Path(a.scenario), a.trigger_train_mode))
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
