"""lmforge on Airflow 3: one DAG run per arriving chunk, a spark-submit per pipeline stage.

Each run curates, tokenizes, mixes, trains on and evaluates ONE chunk:

    ingest >> dedup >> tokenizer_train >> tokenize >> mix >> train >> eval >> report

Every task is `spark-submit --class io.lmforge.core.cli.PipelineMain pipeline.jar STAGE --chunk ID
--root ROOT ...` through the Apache Spark provider's SparkSubmitOperator. Stages commit atomically and
skip work that is already up to date, so a retried or re-run task is safe.

Chunks are processed in arrival order: dedup checks each chunk against the index of every earlier
chunk and training continues from the previous chunk's checkpoint, so the DAG has
``max_active_runs=1`` and every task ``depends_on_past=True`` (a failed chunk holds the later ones
back instead of letting them skip it).

Chunk id: ``params.chunk`` when the run is triggered with one, else the run's logical date as
YYYYMMDD (``@daily`` schedule: the chunk that arrived that day). Input for the chunk:
``params.input``, else Variable ``lmforge_input_template`` with ``{chunk}`` replaced.

Connection (``lmforge_spark``, type Spark): host = the master (``local[4]``, ``yarn``,
``spark://host:7077``, ``k8s://https://host:443``), extra ``{"deploy-mode": "client"}`` (client mode:
the driver runs on the Airflow worker, which needs ``spark-submit`` on its PATH and Java 17), e.g.
``AIRFLOW_CONN_LMFORGE_SPARK='{"conn_type": "spark", "host": "yarn", "extra": {"deploy-mode": "client"}}'``.

Variables:
  lmforge_jar              path of dist/target/pipeline.jar on the Airflow worker (required)
  lmforge_root             dataset root: hdfs://..., s3a://..., or a path every node sees (required)
  lmforge_input_template   input glob of a chunk, with {chunk}: /raw/{chunk}/*.jsonl.zst (required
                           unless every run passes params.input)
  lmforge_conf             a HOCON file on the Airflow worker merged over reference.conf (optional)
  lmforge_home             lmforge checkout on the Airflow worker (LMFORGE_HOME of the driver):
                           relative paths in the config (eval.tasks-dir = conf/tasks) resolve
                           against it (optional; default: the worker's working directory)
  lmforge_tokenizer_chunks JSON list of the chunks the frozen tokenizer is trained on (default: the
                           first run's chunk, i.e. start_date as YYYYMMDD); later runs skip
                           tokenizer-train because it is up to date
  lmforge_spark_properties a Spark properties file for spark-submit --properties-file (executor
                           memory, spark.sql.shuffle.partitions, ...) (optional)
"""
from __future__ import annotations

import json
from datetime import timedelta

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, Param

MAIN_CLASS = "io.lmforge.core.cli.PipelineMain"
START = pendulum.datetime(2026, 11, 1, tz="UTC")
STAGES = ["ingest", "dedup", "tokenizer-train", "tokenize", "mix", "train", "eval", "report"]


def chunk_id(params, ds_nodash=None) -> str:
    """The run's chunk: params.chunk, else the logical date (YYYYMMDD)."""
    chunk = params.get("chunk") or ds_nodash
    if not chunk:
        raise ValueError("lmforge: no chunk id; trigger the run with params.chunk or give it a logical date")
    return str(chunk)


def chunk_input(params, variables, ds_nodash=None) -> str:
    """Input glob of the run's chunk: params.input, else lmforge_input_template with {chunk} filled in.
    `variables` is the template context's var.value (its .get(key, default) reads a Variable)."""
    if params.get("input"):
        return params["input"]
    template = variables.get("lmforge_input_template", None)
    if not template:
        raise ValueError("lmforge: set Variable lmforge_input_template (e.g. /raw/{chunk}/*) or trigger with params.input")
    return template.replace("{chunk}", chunk_id(params, ds_nodash))


def hocon_list(values) -> str:
    """A JSON list is valid HOCON, so --set key=<this> takes it verbatim."""
    return json.dumps([str(v) for v in values])


def tokenizer_chunks(variables) -> str:
    raw = variables.get("lmforge_tokenizer_chunks", None)
    return hocon_list(json.loads(raw) if raw else [START.strftime("%Y%m%d")])


def stage_args(stage: str) -> list[str]:
    """PipelineMain arguments of one stage (each element is a Jinja template rendered at run time)."""
    args = [stage, "--chunk", "{{ lmforge_chunk(params, ds_nodash) }}", "--root", "{{ var.value.lmforge_root }}"]
    # an empty --conf value means "no file" to PipelineMain, so the flag can always be passed
    args += ["--conf", "{{ var.value.get('lmforge_conf', '') }}"]
    if stage == "ingest":
        args += ["--set", "ingest.input.paths={{ lmforge_hocon_list([lmforge_input(params, var.value, ds_nodash)]) }}"]
    if stage == "tokenizer-train":
        args += ["--set", "tokenizer.train.chunks={{ lmforge_tokenizer_chunks(var.value) }}"]
    if stage == "train":
        # params.train_mode: averaging (one model) or pbt (a population, docs/pbt.md); eval and report read its best member
        args += ["--set", "train.mode={{ params.train_mode }}"]
    return args


with DAG(
    dag_id="lmforge_chunk_pipeline",
    description="lmforge: curate, tokenize, mix, train on and evaluate one arriving chunk",
    schedule="@daily",
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args={"depends_on_past": True, "retries": 1, "retry_delay": timedelta(minutes=5)},
    params={
        "chunk": Param(None, type=["null", "string"], description="chunk id (default: the logical date, YYYYMMDD)"),
        "input": Param(None, type=["null", "string"], description="input path or glob of the chunk (default: lmforge_input_template)"),
        "train_mode": Param("averaging", type="string", enum=["averaging", "pbt"],
                            description="train the chunk with one averaged model, or with Population Based Training (train.pbt.* in lmforge_conf)"),
    },
    user_defined_macros={
        "lmforge_chunk": chunk_id,
        "lmforge_input": chunk_input,
        "lmforge_hocon_list": hocon_list,
        "lmforge_tokenizer_chunks": tokenizer_chunks,
    },
    render_template_as_native_obj=False,
    tags=["lmforge"],
    doc_md=__doc__,
) as dag:
    previous = None
    for stage in STAGES:
        task = SparkSubmitOperator(
            task_id=stage.replace("-", "_"),
            conn_id="lmforge_spark",
            application="{{ var.value.lmforge_jar }}",
            java_class=MAIN_CLASS,
            name=f"lmforge-{stage}-{{{{ lmforge_chunk(params, ds_nodash) }}}}",
            application_args=stage_args(stage),
            properties_file="{{ var.value.get('lmforge_spark_properties', '') }}",
            # OMP_WAIT_POLICY: ND4J's OpenMP threads must not spin between ops (README "On a cluster")
            env_vars={"LMFORGE_HOME": "{{ var.value.get('lmforge_home', '') }}", "OMP_WAIT_POLICY": "PASSIVE"},
            driver_memory="4g",
        )
        if previous is not None:
            previous >> task
        previous = task
