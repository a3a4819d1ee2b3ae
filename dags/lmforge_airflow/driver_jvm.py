"""JVM options for a stage's spark-submit driver (spark.driver.extraJavaOptions).

A stage run is a short-lived JVM: with the JVM's defaults, C2 compiles everything warm (Spark's planner,
Catalyst, Janino, Parquet) and G1 runs its parallel and concurrent threads. bin/pipeline starts its JVM with
C2 only for really hot code and the serial collector (docs/performance.md, "JIT and GC for stage runs");
under spark-submit in local mode the driver JVM runs the tasks too, so the same options apply: a 15 MB
ingest, spark-submit --master local[1], took 36-38 CPU-s with the JVM's defaults and 23-25 with these
(wall time 20-22 s and 19-20 s). On a cluster the driver only plans and the executors are long-lived,
multi-core JVMs for which the serial collector is the wrong choice, so nothing is added there.
"""
from __future__ import annotations

import re
from pathlib import Path

# the same flags as bin/pipeline's `tuning` (airflow_dag_check.py checks that they agree)
LOCAL_DRIVER_JAVA_OPTIONS = ("-XX:Tier4InvocationThreshold=150000 -XX:Tier4MinInvocationThreshold=18000 "
                             "-XX:Tier4CompileThreshold=450000 -XX:Tier4BackEdgeThreshold=1200000 -XX:+UseSerialGC")
KEY = "spark.driver.extraJavaOptions"


def sets_key(properties_file: str | None, key: str = KEY) -> bool:
    """Whether a Spark properties file (key=value, key value or key:value lines) sets key."""
    if not properties_file:
        return False
    text = Path(properties_file).read_text(encoding="utf-8")
    return any(re.match(re.escape(key) + r"\s*[=:\s]", line.strip()) for line in text.splitlines())


def driver_java_options(master: str, configured: str | None, properties_file: str | None = None) -> str | None:
    """spark.driver.extraJavaOptions for a stage's spark-submit, or None to leave it to Spark.

    configured: the lmforge_driver_java_options Variable (None: unset; "" or whitespace: add nothing).
    Unset, a local master gets bin/pipeline's JIT and GC settings, unless the properties file sets the key.
    """
    if configured is not None:
        return configured.strip() or None
    if not master.strip().startswith("local") or sets_key(properties_file):
        return None
    return LOCAL_DRIVER_JAVA_OPTIONS
