package io.lmforge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on 127.0.0.1 from a real Spark distribution (pyspark's, which ships
 * the jars, spark-class and spark-submit): one master and N workers as child processes, started
 * in the foreground (not sbin/start-*.sh daemons) so that {@link #close()} can always stop them.
 */
final class StandaloneCluster implements AutoCloseable {
    private final File sparkHome;
    private final Path workDir;
    private final List<Process> daemons = new ArrayList<>();
    private final int masterPort;
    private final int masterUiPort;

    private StandaloneCluster(File sparkHome, Path workDir) {
        this.sparkHome = sparkHome;
        this.workDir = workDir;
        this.masterPort = freePort();
        this.masterUiPort = freePort();
    }

    /** Starts a master and {@code workers} workers (cores and memory each) and waits until all are registered. */
    static StandaloneCluster start(File sparkHome, Path workDir, int workers, int coresPerWorker, String memoryPerWorker) {
        StandaloneCluster c = new StandaloneCluster(sparkHome, workDir);
        try {
            c.daemons.add(c.spawn("master", "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", String.valueOf(c.masterPort), "--webui-port", String.valueOf(c.masterUiPort)));
            c.awaitAliveWorkers(0, 90);
            for (int i = 0; i < workers; i++) {
                Path dir = Files.createDirectories(workDir.resolve("worker-" + i));
                c.daemons.add(c.spawn("worker-" + i, "org.apache.spark.deploy.worker.Worker",
                        "--host", "127.0.0.1", "--cores", String.valueOf(coresPerWorker), "--memory", memoryPerWorker,
                        "--webui-port", String.valueOf(freePort()), "--work-dir", dir.toString(), c.masterUrl()));
            }
            c.awaitAliveWorkers(workers, 120);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    /** dist/target/pipeline.jar (mvn verify builds dist before src-test). */
    static File shadedJar() {
        File jar = new File(io.lmforge.core.testing.SharedSpark.repoRoot(), "dist/target/pipeline.jar");
        if (!jar.isFile()) {
            throw new IllegalStateException(jar + " is not built (mvn verify builds dist before src-test)");
        }
        return jar;
    }

    /** SPARK_HOME of the pinned pyspark 3.5.7 distribution (bin/python-env spark, created on first use). */
    static File pysparkHome() {
        String python = io.lmforge.core.testing.PythonEnv.python("spark");
        return new File(io.lmforge.core.testing.PythonEnv.run(io.lmforge.core.testing.SharedSpark.repoRoot(), 60, python, "-c",
                "import os, pyspark; print(os.path.dirname(pyspark.__file__))").trim());
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The master's view of the cluster (its web UI's /json/ endpoint). */
    JsonNode state() throws IOException {
        return new ObjectMapper().readTree(URI.create("http://127.0.0.1:" + masterUiPort + "/json/").toURL());
    }

    /** Environment for any Spark process of this cluster (daemons and spark-submit). */
    Map<String, String> environment(Map<String, String> env) {
        env.put("SPARK_HOME", sparkHome.getPath());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOG_DIR", workDir.resolve("logs").toString());
        env.put("SPARK_NO_DAEMONIZE", "1");
        return env;
    }

    File sparkSubmit() {
        return new File(sparkHome, "bin/spark-submit");
    }

    private Process spawn(String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(new File(sparkHome, "bin/spark-class").getPath(), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(name + ".log").toFile());
        environment(pb.environment());
        return pb.start();
    }

    private void awaitAliveWorkers(int expected, int timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        String last = "no answer from the master's web UI";
        while (System.nanoTime() < deadline) {
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a Spark daemon exited (" + p.exitValue() + "); logs: " + logs());
                }
            }
            try {
                JsonNode s = state();
                last = s.toString();
                if ("ALIVE".equals(s.path("status").asText()) && s.path("aliveworkers").asInt() == expected) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            sleep(500);
        }
        throw new IllegalStateException("cluster not ready after " + timeoutSeconds + " s (" + expected + " workers wanted): "
                + last + "\nlogs: " + logs());
    }

    String logs() {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(workDir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                sb.append("\n--- ").append(f.getFileName()).append(" (tail)\n").append(text.substring(Math.max(0, text.length() - 3000)));
            }
        } catch (IOException e) {
            sb.append(e);
        }
        return sb.toString();
    }

    /** Stops workers first, then the master; the executors die with their worker. */
    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process p = daemons.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
