package io.lmforge.core.spark;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.lmforge.core.config.PipelineConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * The SparkSession of a pipeline run. Under spark-submit the master and settings come from
 * spark-submit (they win); under bin/pipeline or tests the config's pipeline.spark.* apply.
 */
public final class SparkSessions {
    private static volatile boolean replaceWhenChanged;
    /** The settings the running session was started with (by this class), app name aside. */
    private static volatile Map<String, String> startedWith = Map.of();

    private SparkSessions() {
    }

    /**
     * On in the pipeline daemon: a run whose Spark settings (master, shuffle partitions,
     * pipeline.spark.conf) differ from the running session's stops it and starts one with its own,
     * as its own JVM would have. Off (tests, one-run JVMs): the running session is used as it is.
     */
    public static void replaceWhenSettingsChange(boolean on) {
        replaceWhenChanged = on;
    }

    public static SparkSession getOrCreate(PipelineConfig config, String appName) {
        SparkSession active = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
                : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        SparkConf conf = settings(config);
        SparkSession replaced = null;
        if (active != null && !active.sparkContext().isStopped()) {
            Map<String, String> wanted = withoutAppName(conf);
            if (!replaceWhenChanged || wanted.equals(startedWith)) {
                return active;
            }
            System.err.println("Spark settings differ from the running application's (" + changes(startedWith, wanted) + "): starting a new one");
            replaced = active;
        }
        conf.setAppName(appName);
        io.lmforge.core.dataset.NioLocalFileSystem.installFor(conf.get("spark.master"));
        SparkSession session = uninterruptibly(replaced, conf);
        SparkSession.setActiveSession(session);
        startedWith = withoutAppName(conf);
        return session;
    }

    /**
     * Stops {@code replaced} (if any) and starts a session with conf on a thread of its own, waited for
     * without giving way to interrupts: the pipeline daemon interrupts a run whose client went away, and an
     * interrupt inside SparkContext.stop() or its constructor left a stopped context registered as the
     * active one, which every later command of the daemon then failed on ("Cannot call methods on a stopped
     * SparkContext"). The cancelled run stops at its stage's next protocol point instead.
     */
    private static SparkSession uninterruptibly(SparkSession replaced, SparkConf conf) {
        java.util.concurrent.CompletableFuture<SparkSession> started = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                if (replaced != null) {
                    replaced.stop();
                    SparkSession.clearActiveSession();
                    SparkSession.clearDefaultSession();
                }
                started.complete(SparkSession.builder().config(conf).getOrCreate());
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "lmforge-spark-start");
        t.start();
        try {
            return started.join(); // join() waits through interrupts (and keeps the caller's interrupt status)
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("Spark did not start: " + e.getCause(), e.getCause());
        }
    }

    private static Map<String, String> withoutAppName(SparkConf conf) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (scala.Tuple2<String, String> kv : conf.getAll()) {
            if (!kv._1().equals("spark.app.name")) {
                m.put(kv._1(), kv._2());
            }
        }
        return m;
    }

    private static String changes(Map<String, String> was, Map<String, String> now) {
        java.util.Set<String> keys = new java.util.TreeSet<>(was.keySet());
        keys.addAll(now.keySet());
        java.util.List<String> diff = new java.util.ArrayList<>();
        for (String k : keys) {
            if (!java.util.Objects.equals(was.get(k), now.get(k))) {
                diff.add(k + " " + was.getOrDefault(k, "(unset)") + " -> " + now.getOrDefault(k, "(unset)"));
            }
        }
        return String.join(", ", diff);
    }

    /** The jar this class was loaded from (bin/pipeline's dist/target/pipeline.jar); none when run from classes (tests). */
    static java.util.Optional<String> ourJar() {
        java.security.CodeSource src = SparkSessions.class.getProtectionDomain().getCodeSource();
        if (src == null || src.getLocation() == null || !"file".equals(src.getLocation().getProtocol())) {
            return java.util.Optional.empty();
        }
        try {
            java.io.File f = new java.io.File(src.getLocation().toURI());
            return f.isFile() && f.getName().endsWith(".jar") ? java.util.Optional.of(f.getAbsolutePath()) : java.util.Optional.empty();
        } catch (java.net.URISyntaxException e) {
            return java.util.Optional.empty();
        }
    }

    /** What a session for this config is started with. */
    private static SparkConf settings(PipelineConfig config) {
        SparkConf conf = new SparkConf(true); // picks up spark.* system properties set by spark-submit
        if (!conf.contains("spark.master")) {
            conf.setMaster(config.getString("pipeline.spark.master"));
        }
        if (!conf.contains("spark.sql.shuffle.partitions")) {
            conf.set("spark.sql.shuffle.partitions", String.valueOf(config.getInt("pipeline.spark.shuffle-partitions")));
        }
        if (!conf.get("spark.master").startsWith("local")) {
            // bin/pipeline (and its daemon) driving a cluster: the executors need our classes too; spark-submit
            // sets spark.jars itself, to the jar it was given
            ourJar().ifPresent(jar -> conf.setIfMissing("spark.jars", jar));
        } else {
            // Spark lists more than 32 directories (a chunk's lang=*/ partitions) in a Spark job, which pays on
            // a cluster's object store; in local mode it is the same process plus a job (1.2 s for 87 languages)
            conf.setIfMissing("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000");
            // Adaptive execution re-optimises and re-plans every query after each of its stages and renders the
            // plan for the UI each time; in one process with the few, small shuffles of a chunk that is driver
            // work with nothing to adapt (15 MB dedup in the daemon: 5.9 -> 4.7 CPU-s, driver 1.6 -> 1.0 CPU-s;
            // docs/performance.md). On a cluster it stays on. Joins still broadcast the tables a stage
            // materialises: their cached size is known to the static planner too.
            conf.setIfMissing("spark.sql.adaptive.enabled", "false");
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false"); // our own progress lines instead
        conf.setIfMissing("spark.sql.parquet.compression.codec", "zstd");
        // Spark keeps 100 compiled query classes; one dedup run alone generates more, so every run (and every
        // stage of a `run`, every command of the pipeline daemon) compiled them again with Janino and the JIT
        // compiled the new classes again: 15 MB dedup in the daemon 9.0 -> 7.1 CPU-s (docs/performance.md)
        conf.setIfMissing("spark.sql.codegen.cache.maxEntries", "4000");
        // chunk=0002 and lang=no are names, not numbers or booleans: keep partition values as strings
        conf.setIfMissing("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
        Config extra = config.getConfig("pipeline.spark.conf");
        for (Map.Entry<String, ConfigValue> e : extra.entrySet()) {
            String key = e.getKey().replace("\"", "");
            conf.setIfMissing(key, String.valueOf(e.getValue().unwrapped()));
        }
        // ND4J's OpenMP threads spin between ops by default, which on few cores slows training ~1.5x
        // (measured; see io.lmforge.training.spark.OpenMpWaitPolicy). Executors read it at start-up.
        conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        return conf;
    }
}
