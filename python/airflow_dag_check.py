"""Checks the lmforge Airflow DAG under the pinned Airflow 3 (bin/python-env airflow).

    python airflow_dag_check.py DAGS_DIR                     import: zero DagBag errors, the task graph
    python airflow_dag_check.py DAGS_DIR --run CHUNK [--input PATH]
                                                             + one real DAG run (dag.test) for that chunk
                                                               (input: PATH, else Variable lmforge_input_template)

The caller sets AIRFLOW_HOME (a scratch directory), the lmforge_spark connection and the lmforge_*
variables (AIRFLOW_CONN_*/AIRFLOW_VAR_* environment), and puts spark-submit on PATH. Prints one JSON
line (prefixed "RESULT ") with what was checked; exits non-zero on the first failed check.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

DAG_ID = "lmforge_chunk_pipeline"
TASKS = ["ingest", "dedup", "tokenizer_train", "tokenize", "mix", "train", "eval", "report"]


def check(condition: bool, message: str) -> None:
    if not condition:
        print("CHECK FAILED: " + message, file=sys.stderr)
        sys.exit(1)


def load_dag(dags_dir: str):
    from airflow.models.dagbag import DagBag

    bag = DagBag(dag_folder=dags_dir, include_examples=False)
    check(not bag.import_errors, f"DagBag import errors: {bag.import_errors}")
    dag = bag.dags.get(DAG_ID)  # not get_dag(): that reads the metadata DB, which an import check does not need
    check(dag is not None, f"no DAG {DAG_ID} in {dags_dir} (found {sorted(bag.dag_ids)})")
    return bag, dag


def check_graph(dag) -> dict:
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

    ids = [t.task_id for t in dag.topological_sort()]
    check(ids == TASKS, f"tasks in order {TASKS}, got {ids}")
    for prev, cur in zip(TASKS, TASKS[1:]):
        check(dag.get_task(cur).upstream_task_ids == {prev}, f"{cur} runs after exactly {prev}")
    for t in dag.tasks:
        check(isinstance(t, SparkSubmitOperator), f"{t.task_id} is a SparkSubmitOperator")
        check(t._java_class == "io.lmforge.core.cli.PipelineMain", f"{t.task_id} main class")
        check(t._conn_id == "lmforge_spark", f"{t.task_id} uses the lmforge_spark connection")
        check(t.depends_on_past, f"{t.task_id} depends_on_past (chunks in arrival order)")
        check((t.env_vars or {}).get("OMP_WAIT_POLICY") == "PASSIVE", f"{t.task_id} starts spark-submit with OMP_WAIT_POLICY=PASSIVE")
        stage = t.task_id.replace("_", "-")
        check(t.application_args[0] == stage and "--chunk" in t.application_args, f"{t.task_id} runs stage {stage}")
    check(dag.max_active_runs == 1, "max_active_runs == 1 (training is sequential)")
    return {"dag_id": dag.dag_id, "tasks": ids, "max_active_runs": dag.max_active_runs, "schedule": str(dag.timetable.summary)}


def run_once(dag, chunk: str, input_path: str, train_mode: str) -> dict:
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, stdout=subprocess.DEVNULL)
    for t in dag.tasks:
        t.retries = 0  # a failure should fail the check now, not after the retry delay
    import pendulum

    conf = {"chunk": chunk, "train_mode": train_mode}
    if input_path is not None:
        conf["input"] = input_path
    run = dag.test(logical_date=pendulum.datetime(2026, 11, 23, tz="UTC"), run_conf=conf)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    check(str(run.state) == "success", f"DAG run state {run.state}; tasks {states}")
    return {"run_state": str(run.state), "task_states": states}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dags_dir")
    ap.add_argument("--run", metavar="CHUNK")
    ap.add_argument("--input")
    ap.add_argument("--train-mode", default="averaging", choices=["averaging", "pbt"])
    a = ap.parse_args()
    check("AIRFLOW_HOME" in os.environ, "AIRFLOW_HOME is set (a scratch directory)")
    _, dag = load_dag(a.dags_dir)
    result = check_graph(dag)
    if a.run:
        result.update(run_once(dag, a.run, a.input, a.train_mode))
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
