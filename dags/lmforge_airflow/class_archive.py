"""A class archive (JDK 17 dynamic CDS) for the driver JVM of a stage's spark-submit with a local master.

Every stage's spark-submit starts a JVM that loads and verifies ~20,000 classes (Spark, Scala, Hadoop, ND4J,
ours) again. bin/pipeline maps them from an archive it records on its first run (docs/performance.md);
this does the same for the DAG: a one-document ingest, spark-submit --master local[1], 17-19.5 CPU-s
without, 12-12.4 with the archive and the jar on the driver's class path (bin/pipeline: 12 that hour).

The first run for a key records (-XX:ArchiveClassesAtExit, written when the JVM exits) into a file of its
own, which becomes the archive only when the spark-submit succeeded; later runs map it
(-XX:SharedArchiveFile). The jar goes on the driver's class path (--driver-class-path) as well: classes
Spark's own loader reads from the application jar are archived less well (14 CPU-s above). The key is
every entry of the class path spark-submit's launcher builds (the JDK, the jar, Spark's jars, its conf
directory), because the JVM silently ignores an archive when any of them changed. The JVM refuses to
record, and exits with an error after the stage has run, when a directory on the class path holds files:
a Spark configuration directory (spark-defaults.conf, spark-env.sh), HADOOP_CONF_DIR or YARN_CONF_DIR. A
conf directory with nothing but a distribution's *.template files is replaced by an empty one of ours
(SPARK_CONF_DIR in spark-submit's environment: Spark reads none of them either way). Then, where the class path cannot be predicted (no SPARK_HOME and a pip-installed
spark-submit, SPARK_DIST_CLASSPATH), with a Java agent or Flight Recorder (JDK 17 crashes), and with
less than 1 GiB free for a recording, nothing is added and the reason is logged.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, TypeVar

T = TypeVar("T")

PREFIX = "lmforge-driver-"
SUFFIX = ".jsa"
RECORDING = ".rec-"
MIN_FREE_BYTES = 1 << 30  # an archive of all the stages' classes is ~150 MB
# the JVM's own log of archive use: off, as in bin/pipeline (classes CDS cannot archive are skipped silently)
QUIET = "-Xlog:cds*=off"


def default_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lmforge" / "driver-class-archives"


@dataclass(frozen=True)
class Launch:
    """What one spark-submit adds: JVM options, the driver class path, and the recording to publish after it."""
    java_options: str
    driver_class_path: str
    archive: Path
    recording: Path | None  # None: the run maps an existing archive
    env: Mapping[str, str]  # for spark-submit's environment (an empty SPARK_CONF_DIR instead of templates)

    def publish(self) -> str:
        """After a successful spark-submit: the recording becomes the archive; archives of older keys go."""
        if self.recording is None:
            return f"the driver JVM was given the class archive {self.archive}"
        if not self.recording.is_file() or self.recording.stat().st_size == 0:
            return f"the driver JVM wrote no class archive to {self.recording}"
        os.replace(self.recording, self.archive)
        for old in self.archive.parent.glob(PREFIX + "*" + SUFFIX):
            if old != self.archive:
                old.unlink(missing_ok=True)  # a JVM that still maps it keeps its pages
        return f"recorded the class archive {self.archive}"

    def discard(self) -> None:
        """After a failed spark-submit: a recording of a failed run is not kept."""
        if self.recording is not None:
            self.recording.unlink(missing_ok=True)

    def run(self, submit: Callable[[], T]) -> tuple[T, str]:
        """Runs one spark-submit with this launch: a failed one's recording is dropped, a successful one's is
        published. A publish that fails is reported, not raised: the stage ran and committed, and only the next
        run's start-up is slower."""
        try:
            result = submit()
        except BaseException:
            self.discard()
            raise
        try:
            return result, self.publish()
        except OSError as e:
            return result, f"could not keep the class archive: {e}"


def _which(name: str, env: Mapping[str, str]) -> str | None:
    return shutil.which(name, path=env.get("PATH", os.defpath))


def spark_home(env: Mapping[str, str], spark_binary: str = "spark-submit") -> Path | str:
    """SPARK_HOME as spark-submit resolves it, or why it cannot be known here."""
    if env.get("SPARK_HOME"):
        return Path(env["SPARK_HOME"])
    submit = _which(spark_binary, env)
    if submit is None:
        return f"{spark_binary} is not on PATH"
    bin_dir = Path(submit).parent
    if (bin_dir / "find_spark_home.py").exists():  # pip's spark-submit asks Python where pyspark is
        return "SPARK_HOME is not set and spark-submit is pyspark's (set SPARK_HOME)"
    return Path(os.path.normpath(bin_dir / ".."))


def _java(env: Mapping[str, str]) -> Path | None:
    java = Path(env["JAVA_HOME"]) / "bin" / "java" if env.get("JAVA_HOME") else _which("java", env)
    return Path(os.path.realpath(java)) if java and os.path.exists(java) else None


def _holds_files(directory: str | Path | None) -> bool:
    return bool(directory) and os.path.isdir(directory) and any(os.scandir(directory))


# JDK 17 crashes (SIGSEGV in check_shared_class_file_load_hook) loading archived classes while a class-file
# load hook is installed: Flight Recorder or a Java agent (as bin/pipeline, which starts those without one)
CLASS_FILE_HOOKS = ("FlightRecord", "-javaagent", "-agentlib", "-agentpath")
# what else reaches the driver JVM's command line: the JVM's and the java launcher's variables, spark-class's
JVM_OPTION_VARIABLES = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "SPARK_SUBMIT_OPTS")
# Spark properties that change the driver's class path or add JVM options before ours: a properties file
# that sets one is the user's choice, so no archive is added
PROPERTIES = ("spark.driver.extraClassPath", "spark.driver.defaultJavaOptions")


def class_path_entries(env: Mapping[str, str], jar: str, spark_binary: str = "spark-submit") -> list[Path] | str:
    """The files the driver's class path depends on (JDK first), or why no archive can be used."""
    for name in JVM_OPTION_VARIABLES:
        if any(hook in env.get(name, "") for hook in CLASS_FILE_HOOKS):
            return f"{name} starts Flight Recorder or a Java agent (JDK 17 crashes mapping archived classes then)"
    home = spark_home(env, spark_binary)
    if isinstance(home, str):
        return home
    if env.get("SPARK_DIST_CLASSPATH"):
        return "SPARK_DIST_CLASSPATH is set"
    conf_dir = env.get("SPARK_CONF_DIR") or str(home / "conf")
    for name, directory in (("the Spark configuration directory", conf_dir), ("HADOOP_CONF_DIR", env.get("HADOOP_CONF_DIR")),
                            ("YARN_CONF_DIR", env.get("YARN_CONF_DIR"))):
        if _holds_files(directory):
            return f"{name} {directory} holds files (the JVM cannot archive a class path with such a directory)"
    jars = home / "jars"
    java = _java(env)
    if not jars.is_dir() or java is None or not os.path.isfile(jar):
        return f"no {jars}" if not jars.is_dir() else "no java (JAVA_HOME, PATH)" if java is None else f"no jar {jar}"
    jvm = java.parent.parent / "lib" / "server" / "libjvm.so"
    return [java, *([jvm] if jvm.exists() else []), Path(os.path.abspath(jar)), Path(conf_dir), *sorted(jars.glob("*.jar"))]


def key(entries: list[Path], java_options: str) -> str:
    """One checksum over every entry's path, size and modification time, and the JVM options."""
    h = hashlib.sha256(java_options.encode())
    for p in entries:
        st = p.stat() if p.exists() else None
        h.update(f"\n{p}\t{st.st_size if st else -1}\t{st.st_mtime_ns if st else -1}".encode())
    return h.hexdigest()[:20]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _recorder() -> str:
    """Whose recording a file is: this host and task process (the directory may be shared)."""
    return f"{socket.gethostname()}-{os.getpid()}"


def _remove_abandoned_recordings(directory: Path) -> None:
    """Recordings of killed task processes of this host (the name says whose)."""
    host = socket.gethostname() + "-"
    for rec in directory.glob(PREFIX + "*" + SUFFIX + RECORDING + host + "*"):
        pid = rec.name.rsplit("-", 1)[1]
        if pid.isdigit() and not _alive(int(pid)):
            rec.unlink(missing_ok=True)


def _templates_only(directory: str) -> bool:
    """A Spark distribution's conf/ as shipped: *.template files, none of which Spark or spark-class reads."""
    if not os.path.isdir(directory):
        return False
    entries = list(os.scandir(directory))
    return bool(entries) and all(e.is_file() and e.name.endswith(".template") for e in entries)


def prepare(directory: Path, jar: str, env: Mapping[str, str], java_options: str,
            spark_binary: str = "spark-submit") -> Launch | str:
    """The archive options of one stage's spark-submit, or why there are none."""
    home = spark_home(env, spark_binary)
    if isinstance(home, str):
        return home
    if any(c.isspace() or c in "'\"" for c in str(directory) + jar):
        return "a space or quote in the archive directory or the jar path"  # Spark splits the options on spaces
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK):
            return f"{directory} is not writable"
        _remove_abandoned_recordings(directory)
        free = shutil.disk_usage(directory).free
        extra_env = {}
        if _templates_only(env.get("SPARK_CONF_DIR") or str(home / "conf")):  # same configuration, an empty directory
            (directory / "empty-conf").mkdir(exist_ok=True)
            extra_env = {"SPARK_CONF_DIR": str(directory / "empty-conf")}
    except OSError as e:
        return f"{directory}: {e}"
    entries = class_path_entries({**env, **extra_env}, jar, spark_binary)
    if isinstance(entries, str):
        return entries
    archive = directory / f"{PREFIX}{key(entries, java_options)}{SUFFIX}"
    if archive.is_file():
        return Launch(f"-XX:SharedArchiveFile={archive} {QUIET}", jar, archive, None, extra_env)
    if free < MIN_FREE_BYTES:  # the JVM exits with an error, after the stage ran, when it cannot write the archive
        return f"{directory} has {free >> 20} MiB free, less than the {MIN_FREE_BYTES >> 20} MiB a recording may need"
    recording = archive.with_name(archive.name + RECORDING + _recorder())
    return Launch(f"-XX:ArchiveClassesAtExit={recording} {QUIET}", jar, archive, recording, extra_env)
