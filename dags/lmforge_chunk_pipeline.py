"""lmforge on Airflow 3: curate, tokenize, mix, train on and evaluate each arriving chunk, in arrival order.

Scheduled on Assets, not on a clock: a run starts when a chunk is announced (``lmforge_chunk_arrived``,
from the lmforge_chunk_arrivals DAG, a manual trigger or an uploader's REST call) or when a chunk is
finished (``lmforge_chunk_done``). Each run processes ONE chunk, the earliest *pending* one in arrival
order (announced, not yet done), whatever triggered it::

    announce_requested >> select_chunk >> branch_on_input >> ingest >> dedup >> tokenizer_train >> tokenize
                                                                >> mix >> train >> eval >> report >> chunk_done
                                                          \\-> chunk_empty

* Strict arrival order: one active run at a time (``max_active_runs=1``), every run picks the earliest
  pending chunk, and the jar itself refuses a stage for chunk N while an earlier chunk lacks that stage's
  commit (docs/stage-protocol.md "Arrival order"). A manual trigger naming a later chunk announces it and
  waits its turn: that run processes the earliest pending chunk. When nothing is pending, a trigger naming
  an already finished chunk re-runs it (stages that are up to date skip in seconds).
* A failed chunk is never skipped: it stays pending, so the next run (after a fix and a new trigger, or a
  cleared task) takes it up again before any later chunk.
* A chunk with no input files (nothing ingest would read) ends in ``chunk_empty`` (the stage tasks show
  *skipped*) and a ``lmforge_chunk_done`` event with ``outcome = empty``: later chunks go on.
* Each ``chunk_done``/``chunk_empty`` event triggers the next run, which takes the next pending chunk or,
  with none left, ends at once with every task skipped.

Every stage task is ``spark-submit --class io.lmforge.core.cli.PipelineMain pipeline.jar STAGE --chunk ID
--root ROOT ...`` (Apache Spark provider), runs in the pool ``lmforge_spark`` with a timeout
(``STAGE_TIMEOUTS``) and emits an event on its output Asset (``lmforge_docs``, ``lmforge_tokens``, ``lmforge_model``, ...,
extra ``{"chunk", "path"}``). Stages commit atomically and skip work that is up to date, so retries are safe.

Set-up: ``airflow pools set lmforge_spark 1 "lmforge spark-submit jobs"`` (tasks of a missing pool are
never scheduled); connection ``lmforge_spark`` (type Spark): host = the master (``local[4]``, ``yarn``,
``spark://host:7077``, ``k8s://https://host:443``), extra ``{"deploy-mode": "client"}`` (the driver runs on
the Airflow worker: ``spark-submit`` on its PATH and Java 17), e.g.
``AIRFLOW_CONN_LMFORGE_SPARK='{"conn_type": "spark", "host": "yarn", "extra": {"deploy-mode": "client"}}'``.

Variables:
  lmforge_jar              path of dist/target/pipeline.jar on the Airflow worker (required)
  lmforge_root             dataset root: hdfs://..., s3a://..., or a path every node sees (required)
  lmforge_input_template   input of a chunk, with {chunk}: /raw/{chunk}/*.jsonl.zst (required unless every
                           arrival event carries its input)
  lmforge_conf             a HOCON file on the Airflow worker merged over reference.conf (optional)
  lmforge_home             lmforge checkout on the Airflow worker (LMFORGE_HOME of the driver):
                           relative paths in the config (eval.tasks-dir = conf/tasks) resolve against it
  lmforge_tokenizer_chunks JSON list of the chunks the frozen tokenizer is trained on; later runs skip
                           tokenizer-train because it is up to date. Unset (the default): the first chunk with
                           text trains it once (the jar's `run` rule; a first chunk that kept no document is
                           passed over by tokenize, mix, train, eval and report)
  lmforge_spark_properties a Spark properties file for spark-submit --properties-file (optional)
  lmforge_driver_java_options
                           spark.driver.extraJavaOptions of every stage (optional; "" adds none). Unset, a
                           local master gets bin/pipeline's JIT and GC settings (a third less CPU per stage,
                           lmforge_airflow/driver_jvm.py) unless the properties file sets that key
  lmforge_class_archive_dir
                           where the driver JVM's class archive is kept (optional; "" turns it off; default
                           ~/.cache/lmforge/driver-class-archives). With those default driver options, the
                           first stage records one (~150 MB) and later stages map it (a quarter less CPU
                           per stage, lmforge_airflow/class_archive.py)
"""
from __future__ import annotations

import functools
import json
import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.exceptions import AirflowSkipException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, BaseHook, Param, Variable, task

from lmforge_airflow import chunks, class_archive, driver_jvm, events
from lmforge_airflow.assets import CHUNK_ARRIVED, CHUNK_DONE, STAGE_OUTPUTS, output_path

MAIN_CLASS = "io.lmforge.core.cli.PipelineMain"
POOL = "lmforge_spark"
STAGES = ["ingest", "dedup", "tokenizer-train", "tokenize", "mix", "train", "eval", "report"]
# wall-clock limit per spark-submit: a hung stage fails (and is retried) instead of holding every later chunk
STAGE_TIMEOUTS = {"ingest": timedelta(hours=3), "dedup": timedelta(hours=4), "tokenizer-train": timedelta(hours=2),
                  "tokenize": timedelta(hours=3), "mix": timedelta(hours=1), "train": timedelta(hours=12),
                  "eval": timedelta(hours=3), "report": timedelta(minutes=30)}
SELECTED = "ti.xcom_pull(task_ids='select_chunk')"
CHUNK = "{{ " + SELECTED + "['chunk'] }}"


class LmforgeStageOperator(SparkSubmitOperator):
    """spark-submit of one pipeline stage; on success, an event on the stage's output Asset naming the chunk."""

    template_fields = (*SparkSubmitOperator.template_fields, "lmforge_chunk", "lmforge_root")

    def __init__(self, *, stage: str, lmforge_chunk: str, lmforge_root: str, **kwargs):
        super().__init__(outlets=[STAGE_OUTPUTS[stage]], **kwargs)
        self.stage = stage
        self.lmforge_chunk = lmforge_chunk
        self.lmforge_root = lmforge_root

    def execute(self, context):
        # an OPTIONAL_SETTINGS key rendered empty ("--set train.mode=") is left to lmforge_conf
        args = list(self.application_args)
        self.application_args = [a for i, a in enumerate(args) if not _unset_optional(args, i)]
        configured = Variable.get("lmforge_driver_java_options", default=None)
        connection = BaseHook.get_connection(self._conn_id)
        options = driver_jvm.driver_java_options(connection.host or "", configured, self.properties_file)
        archive = None
        if options and driver_jvm.KEY not in (self.conf or {}):
            if configured is None:  # bin/pipeline's settings for a local master: its class archive too
                archive = self._class_archive(options, self._spark_binary or connection.extra_dejson.get("spark-binary") or "spark-submit")
            self.conf = {**(self.conf or {}), driver_jvm.KEY: options + (" " + archive.java_options if archive else "")}
        if archive is None:
            super().execute(context)
        else:
            _, outcome = archive.run(functools.partial(super().execute, context))
            self.log.info("lmforge: %s", outcome)
        context["outlet_events"][STAGE_OUTPUTS[self.stage]].extra = {
            "chunk": self.lmforge_chunk, "path": output_path(self.stage, self.lmforge_root, self.lmforge_chunk)}

    def _class_archive(self, options: str, spark_binary: str) -> class_archive.Launch | None:
        """The driver JVM's class archive (lmforge_airflow/class_archive.py), unless turned off or not possible."""
        configured = Variable.get("lmforge_class_archive_dir", default=None)
        env = {**os.environ, **(self.env_vars or {})}
        if configured is not None and not configured.strip():
            return None
        if self.driver_class_path or any(driver_jvm.sets_key(self.properties_file, k) for k in class_archive.PROPERTIES):
            self.log.info("lmforge: no class archive: the operator or properties file sets one of %s", class_archive.PROPERTIES)
            return None
        directory = Path(configured.strip()) if configured else class_archive.default_dir(env)
        launch = class_archive.prepare(directory, self.application, env, options, spark_binary)
        if isinstance(launch, str):
            self.log.info("lmforge: no class archive: %s", launch)
            return None
        self.driver_class_path = launch.driver_class_path
        if launch.env:
            self.env_vars = {**(self.env_vars or {}), **launch.env}
        return launch


# settings a chunk may leave unsaid; any other empty value reaches the jar, which refuses it loudly
OPTIONAL_SETTINGS = ("train.mode",)


def _unset_optional(args: list[str], i: int) -> bool:
    """args[i] belongs to a '--set KEY=' pair with an empty value, KEY in OPTIONAL_SETTINGS."""
    unset = lambda a: a in {k + "=" for k in OPTIONAL_SETTINGS}  # noqa: E731
    return (args[i] == "--set" and i + 1 < len(args) and unset(args[i + 1])) or (
        i > 0 and args[i - 1] == "--set" and unset(args[i]))


def stage_args(stage: str) -> list[str]:
    """PipelineMain arguments of one stage (each element is a Jinja template rendered at run time)."""
    command = "{{ " + SELECTED + "['tokenizer_command'] }}" if stage == "tokenizer-train" else stage
    args = [command, "--chunk", CHUNK, "--root", "{{ var.value.lmforge_root }}"]
    # an empty --conf value means "no file" to PipelineMain, so the flag can always be passed
    args += ["--conf", "{{ var.value.get('lmforge_conf', '') }}"]
    if stage == "ingest":
        args += ["--set", "ingest.input.paths={{ " + SELECTED + "['input_hocon'] }}"]
    if stage == "tokenizer-train":
        # chunks.tokenizer_task: tokenizer-train on lmforge_tokenizer_chunks, or (unset) `run` of just that stage,
        # which trains once on the first chunk with text
        args += ["--set", "tokenizer.train.chunks={{ " + SELECTED + "['tokenizer_chunks'] }}", "--set", "run.stages=[tokenizer-train]"]
    if stage == "train":
        # the chunk's train_mode (from the trigger that announced it): averaging (one model) or pbt (a
        # population, docs/pbt.md; eval and report read its best member); empty: train.mode of lmforge_conf
        args += ["--set", "train.mode={{ " + SELECTED + "['train_mode'] }}"]
    return args


def hocon_list(values) -> str:
    """A JSON list is valid HOCON, so --set key=<this> takes it verbatim."""
    return json.dumps([str(v) for v in values])


def requested_arrival(params, dag_run) -> chunks.Arrival:
    chunk = str(params["chunk"])
    # without params.input, chunk_input says clearly when lmforge_input_template is unset
    source = params.get("input") or chunks.chunk_input(Variable.get("lmforge_input_template", default=None), chunk)
    arrived = chunks.iso(dag_run.run_after)
    return chunks.Arrival(chunk, source, arrived, f"trigger of run {dag_run.run_id}", params.get("train_mode") or "")


def chunk_of_this_run(queue: list[chunks.Arrival], done: dict, requested: str | None) -> tuple[chunks.Arrival | None, str]:
    """The earliest pending chunk; with none pending, a requested finished chunk is re-run."""
    waiting = chunks.pending(queue, done)
    if waiting:
        first = waiting[0]
        why = f"earliest pending chunk in arrival order (pending: {[a.chunk for a in waiting]})"
        if requested and requested != first.chunk:
            why += f"; the trigger asked for {requested}, which waits for the chunks that arrived before it"
        return first, why
    if requested:
        again = next((a for a in queue if a.chunk == requested), None)
        return again, f"nothing pending: re-running {requested} as the trigger asked (up-to-date stages skip)"
    return None, "nothing pending"


with DAG(
    dag_id="lmforge_chunk_pipeline",
    description="lmforge: curate, tokenize, mix, train on and evaluate each arriving chunk, in arrival order",
    schedule=(CHUNK_ARRIVED | CHUNK_DONE),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    params={
        "chunk": Param(None, type=["null", "string"], description="announce this chunk (it runs once the chunks that arrived before it are done)"),
        "input": Param(None, type=["null", "string"], description="input path or glob of that chunk (default: lmforge_input_template)"),
        "train_mode": Param(None, type=["null", "string"], enum=[None, "averaging", "pbt"],
                            description="how to train the chunk this trigger names: one averaged model, or Population Based Training "
                                        "(train.pbt.* in lmforge_conf); default: train.mode of lmforge_conf"),
    },
    render_template_as_native_obj=False,
    tags=["lmforge"],
    doc_md=__doc__,
) as dag:

    @task(inlets=[CHUNK_ARRIVED], outlets=[CHUNK_ARRIVED], execution_timeout=timedelta(minutes=5))
    def announce_requested(*, params=None, dag_run=None, inlet_events=None, outlet_events=None) -> str:
        """A trigger naming a chunk that was never announced announces it (arrival: when the run was queued)."""
        if not params.get("chunk"):
            raise AirflowSkipException("the trigger names no chunk")
        if any(a.chunk == str(params["chunk"]) for a in events.arrivals(inlet_events)):
            raise AirflowSkipException(f"chunk {params['chunk']} was announced before")
        arrival = requested_arrival(params, dag_run)
        outlet_events[CHUNK_ARRIVED].extra = arrival.extra()
        return arrival.chunk

    @task(inlets=[CHUNK_ARRIVED, CHUNK_DONE], trigger_rule="none_failed", execution_timeout=timedelta(minutes=10))
    def select_chunk(*, params=None, inlet_events=None) -> dict:
        queue, done = events.arrivals(inlet_events), events.done(inlet_events)
        arrival, why = chunk_of_this_run(queue, done, params.get("chunk") and str(params["chunk"]))
        print(f"lmforge: {len(queue)} chunk(s) announced, {len(done)} done; this run: "
              f"{arrival.chunk if arrival else 'none'} ({why})")
        if arrival is None:
            raise AirflowSkipException("no chunk is pending: every announced chunk is done")
        source = arrival.input or chunks.chunk_input(Variable.get("lmforge_input_template", default=None), arrival.chunk)
        files = chunks.input_files(events.filesystem(source), source)
        tokenizer_command, tokenizer_chunks = chunks.tokenizer_task(Variable.get("lmforge_tokenizer_chunks", default=None))
        return {"chunk": arrival.chunk, "input": source, "input_hocon": hocon_list([source]), "files": len(files),
                "train_mode": arrival.train_mode, "tokenizer_command": tokenizer_command, "tokenizer_chunks": tokenizer_chunks, "why": why}

    @task.branch(execution_timeout=timedelta(minutes=5))
    def branch_on_input(selected: dict) -> str:
        if selected["files"] == 0:
            print(f"lmforge: chunk {selected['chunk']} has no input file ({selected['input']}): nothing to curate")
            return "chunk_empty"
        return "ingest"

    @task(outlets=[CHUNK_DONE], execution_timeout=timedelta(minutes=5))
    def chunk_empty(selected: dict, *, outlet_events=None) -> str:
        outlet_events[CHUNK_DONE].extra = {"chunk": selected["chunk"], "outcome": "empty",
                                           "reason": f"no input file matched {selected['input']}"}
        return selected["chunk"]

    @task(outlets=[CHUNK_DONE], execution_timeout=timedelta(minutes=5))
    def chunk_done(selected: dict, *, outlet_events=None) -> str:
        outlet_events[CHUNK_DONE].extra = {"chunk": selected["chunk"], "outcome": "processed"}
        return selected["chunk"]

    selected = select_chunk()
    announce_requested() >> selected
    branch = branch_on_input(selected)
    branch >> chunk_empty(selected)
    previous = branch
    for stage in STAGES:
        task_ = LmforgeStageOperator(
            task_id=stage.replace("-", "_"),
            stage=stage,
            lmforge_chunk=CHUNK,
            lmforge_root="{{ var.value.lmforge_root }}",
            conn_id="lmforge_spark",
            pool=POOL,
            execution_timeout=STAGE_TIMEOUTS[stage],
            application="{{ var.value.lmforge_jar }}",
            java_class=MAIN_CLASS,
            name=f"lmforge-{stage}-{CHUNK}",
            application_args=stage_args(stage),
            properties_file="{{ var.value.get('lmforge_spark_properties', '') }}",
            # OMP_WAIT_POLICY: ND4J's OpenMP threads must not spin between ops (README "On a cluster")
            env_vars={"LMFORGE_HOME": "{{ var.value.get('lmforge_home', '') }}", "OMP_WAIT_POLICY": "PASSIVE"},
            driver_memory="4g",
        )
        previous >> task_
        previous = task_
    previous >> chunk_done(selected)
