package io.lmforge.core.testing;

import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one local SparkSession of a test JVM (local[2], few shuffle partitions, no UI): Spark
 * start-up costs seconds, and two sessions in one JVM fight over the SparkContext.
 */
public final class SharedSpark {
    private static SparkSession spark;

    private SharedSpark() {
    }

    public static synchronized SparkSession get() {
        if (spark == null) {
            io.lmforge.core.dataset.NioLocalFileSystem.installFor("local[2]"); // as bin/pipeline in local mode
            spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("lmforge-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.sql.adaptive.enabled", "false") // as bin/pipeline in local mode (SparkSessions)
                    .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
                    .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000") // as SparkSessions in local mode
                    .config("spark.default.parallelism", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.warehouse.dir", tempDir("warehouse").toString())
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /**
     * A fresh directory under java.io.tmpdir, deleted with everything in it when the test JVM exits
     * (a standalone-cluster test leaves ~2 GB of executor work there). -Dlmforge.keepTestDirs=true
     * keeps them to look at after a failure.
     */
    public static Path tempDir(String prefix) {
        try {
            Path p = Files.createTempDirectory("lmforge-" + prefix);
            TestDirs.deleteAtExit(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository root (where data/ and conf/ live), from surefire's lmforge.repo.root or the working directory. */
    public static File repoRoot() {
        String prop = System.getProperty("lmforge.repo.root");
        File f = prop != null ? new File(prop) : new File(".").getAbsoluteFile();
        while (f != null && !new File(f, "conf/reference.conf").isFile()) {
            f = f.getParentFile();
        }
        if (f == null) {
            throw new IllegalStateException("cannot find the repository root (conf/reference.conf) from " + prop);
        }
        return f;
    }
}
