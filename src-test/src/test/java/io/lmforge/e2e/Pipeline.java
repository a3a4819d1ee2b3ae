package io.lmforge.e2e;

import io.lmforge.core.testing.SharedSpark;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** bin/pipeline (or the same java command line with extra classpath entries) as a separate process. */
final class Pipeline {
    // Spark's scratch directories (blockmgr-*, spark-*) of a process a test kills stay behind: kept here, removed at exit
    private static final Path SPARK_LOCAL_DIRS = SharedSpark.tempDir("spark-local");

    record Exit(int status, String output) {
    }

    private Pipeline() {
    }

    /** Starts bin/pipeline with {@code env} added; output goes to {@code log}. */
    static Process start(Map<String, String> env, Path log, String... args) throws Exception {
        File repo = SharedSpark.repoRoot();
        List<String> cmd = new ArrayList<>(List.of(new File(repo, "bin/pipeline").getPath()));
        cmd.addAll(List.of(args));
        return start(cmd, env, log);
    }

    /**
     * The java command bin/pipeline runs, with {@code prepend} first on the classpath: what a jar built
     * from other sources looks like to the JVM (e.g. another lmforge/build.properties).
     */
    static Process startWithClasspathFirst(Path prepend, Map<String, String> env, Path log, String... args) throws Exception {
        File repo = SharedSpark.repoRoot();
        String cp = prepend + File.pathSeparator + new File(repo, "dist/target/pipeline.jar") + File.pathSeparator
                + Files.readString(repo.toPath().resolve("dist/target/local-classpath.txt")).strip();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-Dlmforge.home=" + repo, "-Dlog4j2.configurationFile=" + new File(repo, "conf/log4j2.properties"),
                "-cp", cp, "io.lmforge.core.cli.PipelineMain"));
        cmd.addAll(List.of(args));
        return start(cmd, env, log);
    }

    private static Process start(List<String> cmd, Map<String, String> env, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(SharedSpark.repoRoot()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // short-lived JVMs: the client compiler alone gets to work sooner than tiered C2
        pb.environment().put("LMFORGE_JAVA_OPTS", "-Xmx1g -XX:TieredStopAtLevel=1");
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().put("SPARK_LOCAL_DIRS", SPARK_LOCAL_DIRS.toString());
        pb.environment().putAll(env);
        return pb.start();
    }

    static Exit await(Process p, Path log) throws Exception {
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/pipeline did not finish in 10 minutes: " + Files.readString(log));
        }
        return new Exit(p.exitValue(), Files.readString(log));
    }

    static Exit run(Map<String, String> env, String... args) throws Exception {
        Path log = Files.createTempFile("lmforge-pipeline", ".log");
        log.toFile().deleteOnExit();
        return await(start(env, log, args), log);
    }
}
