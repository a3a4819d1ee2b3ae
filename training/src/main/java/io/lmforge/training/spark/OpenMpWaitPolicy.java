package io.lmforge.training.spark;

import java.util.Locale;
import java.util.Optional;

/**
 * ND4J's native code (libnd4j, OpenBLAS) runs its parallel loops on OpenMP threads whose default
 * wait policy is to spin between loops. A training step is hundreds of small ops, so on a few
 * cores the spinning threads steal the cores the working ones need: measured here (2 cores, the
 * bench model, bin/bench train) 770 ms per step with the default, ~500 ms with
 * {@code OMP_WAIT_POLICY=PASSIVE} in the same run; PyTorch's step did not change. OpenMP reads
 * the variable once, when the native library loads, so it has to be in the environment of the
 * JVM that trains: bin/pipeline and bin/bench export it, {@code SparkSessions} sets
 * {@code spark.executorEnv.OMP_WAIT_POLICY} for cluster executors, the Airflow DAG passes it to
 * spark-submit, and the train stage says so when the driver's JVM trains without it.
 */
public final class OpenMpWaitPolicy {
    public static final String ENV = "OMP_WAIT_POLICY";
    public static final String RECOMMENDED = "PASSIVE";

    private OpenMpWaitPolicy() {
    }

    /** A warning for a JVM that trains with this value of OMP_WAIT_POLICY (null: unset), or empty if it is the recommended one. */
    public static Optional<String> advice(String value) {
        if (value != null && value.trim().toUpperCase(Locale.ROOT).equals(RECOMMENDED)) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT,
                "%s is %s in this JVM: OpenMP threads spin between ND4J ops and training runs ~1.5x slower on few cores; "
                        + "start the JVM with %s=%s (bin/pipeline does; with spark-submit in local mode: %s=%s spark-submit ...)",
                ENV, value == null ? "unset" : "'" + value + "'", ENV, RECOMMENDED, ENV, RECOMMENDED));
    }

    /** Whether training runs inside the driver's JVM (Spark local mode), where only the launcher's environment counts. */
    public static boolean driverTrains(String master) {
        return master != null && (master.equals("local") || master.startsWith("local["));
    }
}
