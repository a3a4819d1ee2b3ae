package io.lmforge.e2e;

import io.lmforge.core.testing.SharedSpark;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/pipeline as a separate process: help, a usage error, and a real ingest run in local mode. */
class LauncherTest {
    record Proc(int status, String output) {
    }

    static Proc launch(String... args) throws Exception {
        return launch(java.util.Map.of(), args);
    }

    static Proc launch(java.util.Map<String, String> env, String... args) throws Exception {
        return launch(env, SharedSpark.repoRoot(), args);
    }

    /** bin/pipeline ARGS started in {@code dir}, stdout and stderr together, -Xmx1g unless env says otherwise. */
    static ProcessBuilder builder(java.util.Map<String, String> env, File dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of(new File(SharedSpark.repoRoot(), "bin/pipeline").getPath()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true);
        pb.environment().put("LMFORGE_JAVA_OPTS", "-Xmx1g");
        pb.environment().putAll(env);
        return pb;
    }

    static Proc launch(java.util.Map<String, String> env, File dir, String... args) throws Exception {
        Process p = builder(env, dir, args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        return new Proc(p.exitValue(), out);
    }

    @Test
    void helpListsStagesAndOptions() throws Exception {
        Proc p = launch("--help");
        assertEquals(0, p.status(), p.output());
        assertTrue(p.output().contains("ingest") && p.output().contains("--chunk") && p.output().contains("spark-submit"), p.output());
        Proc s = launch("ingest", "--help");
        assertEquals(0, s.status());
        assertTrue(s.output().contains("ingest.filters"), s.output());
    }

    /**
     * A pom.xml newer than the jar (a dependency bumped by a pull, nothing else changed) makes the launcher
     * build again. Maven here is a stand-in on PATH that fails at once: the test checks the launcher's
     * decision without a two-minute build.
     */
    @Test
    void aPomNewerThanTheJarRebuildsIt() throws Exception {
        assertEquals(0, launch("--help").status(), "the jar is built and up to date");
        Path bin = SharedSpark.tempDir("no-maven");
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\necho 'stand-in mvn' \"$@\" >&2\nexit 3\n");
        assertTrue(mvn.toFile().setExecutable(true));
        java.util.Map<String, String> env = java.util.Map.of("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        assertEquals(0, launch(env, "--help").status(), "no build while nothing changed");
        Path jar = SharedSpark.repoRoot().toPath().resolve("dist/target/pipeline.jar");
        for (String pom : List.of("pom.xml", "training/pom.xml", "dist/pom.xml")) {
            Path file = SharedSpark.repoRoot().toPath().resolve(pom);
            FileTime before = Files.getLastModifiedTime(file);
            try {
                Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
                Proc p = launch(env, "--help");
                assertEquals(3, p.status(), pom + " changed: " + p.output());
                assertTrue(p.output().contains("building dist/target/pipeline.jar") && p.output().contains("stand-in mvn"), p.output());
            } finally {
                Files.setLastModifiedTime(file, before);
            }
        }
    }

    /** The JVM's final flags as the launcher starts it (PrintFlagsFinal), for `--help`. */
    private static String flags(java.util.Map<String, String> env) throws Exception {
        Proc p = launch(env, "--help");
        assertEquals(0, p.status(), () -> p.output().substring(Math.max(0, p.output().length() - 500)));
        return p.output();
    }

    private static boolean flag(String flags, String name, String value) {
        return java.util.regex.Pattern.compile("\\b" + name + "\\s+=\\s+" + value + "\\s").matcher(flags).find();
    }

    @Test
    void jitAndGcTuningForStageRunsIsOnByDefaultAndGivesWayToTheUsersOptions() throws Exception {
        String tuned = flags(java.util.Map.of("LMFORGE_JAVA_OPTS", "-Xmx1g -XX:+PrintFlagsFinal"));
        assertTrue(flag(tuned, "UseSerialGC", "true") && flag(tuned, "Tier4InvocationThreshold", "150000")
                && flag(tuned, "Tier4BackEdgeThreshold", "1200000"), "serial GC and late C2 by default");
        String g1 = flags(java.util.Map.of("LMFORGE_JAVA_OPTS", "-Xmx1g -XX:+UseG1GC -XX:Tier4InvocationThreshold=7000 -XX:+PrintFlagsFinal"));
        assertTrue(flag(g1, "UseG1GC", "true") && flag(g1, "UseSerialGC", "false"), "a collector the user names replaces the serial one");
        assertTrue(flag(g1, "Tier4InvocationThreshold", "7000") && flag(g1, "Tier4CompileThreshold", "450000"),
                "the user's own JIT option wins, the others stay");
        String off = flags(java.util.Map.of("LMFORGE_JAVA_OPTS", "-Xmx1g -XX:+PrintFlagsFinal", "LMFORGE_JVM_TUNING", "off"));
        assertTrue(!off.matches("(?s).*\\bUseSerialGC\\s+=\\s+\\w+\\s+\\{product\\} \\{command line\\}.*")
                && flag(off, "Tier4InvocationThreshold", "5000"), "LMFORGE_JVM_TUNING=off: the JVM's defaults");
    }

    @Test
    void usageErrorsExitWithTwoAndNameTheProblem() throws Exception {
        Proc p = launch("ingest", "--root", "/tmp/x");
        assertEquals(2, p.status(), p.output());
        assertTrue(p.output().contains("ingest needs --chunk ID"), p.output());
    }

    /**
     * A real ingest run, twice: the first records the launcher's class archive (AppCDS) and prints
     * nothing about it; the second moves the recording into place and loads classes from it (the JVM's
     * class+load log names the archive). Then a jar on the class path changes alone (as `mvn package -pl
     * core` or bin/bench leave it): the JVM would refuse the archive without a word, so the launcher
     * records again and the run after that loads from the new archive.
     */
    @Test
    void ingestsARealFileInLocalModeAndReusesTheClassArchiveUntilAJarChanges() throws Exception {
        Path root = SharedSpark.tempDir("launcher");
        Path archive = root.resolve("classes.jsa");
        String input = SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/gnome-help-de.txt").toString();
        java.util.Map<String, String> env = java.util.Map.of("LMFORGE_CDS", "on", "LMFORGE_CDS_ARCHIVE", archive.toString());
        Proc p = launch(env, "ingest", "--chunk", "0002", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]");
        assertEquals(0, p.status(), p.output());
        assertTrue(p.output().contains("ingest 0002: committed"), p.output());
        assertTrue(root.resolve("docs/chunk=0002/lang=de").toFile().isDirectory());
        assertTrue(root.resolve("docs/chunk=0002/_MANIFEST.json").toFile().isFile());
        assertTrue(!p.output().contains("[cds]"), "recording prints nothing");

        Proc again = launch(java.util.Map.of("LMFORGE_CDS", "on", "LMFORGE_CDS_ARCHIVE", archive.toString(), "LMFORGE_JAVA_OPTS", "-Xmx1g -Xlog:class+load=info"),
                "ingest", "--chunk", "0003", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]");
        assertEquals(0, again.status(), again.output().substring(Math.max(0, again.output().length() - 4000)));
        assertTrue(again.output().contains("ingest 0003: committed"));
        assertTrue(archive.toFile().length() > 64_000_000, "the first Spark run's recording is the archive now");
        assertTrue(again.output().contains("source: shared objects file (top)"), "classes come from the recorded archive");

        Path repo = SharedSpark.repoRoot().toPath();
        Path moduleJar = Path.of(Files.readString(repo.resolve("dist/target/local-classpath.txt")).trim().split(":")[0]);
        FileTime built = Files.getLastModifiedTime(moduleJar);
        try {
            Files.setLastModifiedTime(moduleJar, FileTime.fromMillis(built.toMillis() + 60_000));
            for (String chunk : List.of("0004", "0005")) { // records again, then loads from the new recording
                again = launch(java.util.Map.of("LMFORGE_CDS", "on", "LMFORGE_CDS_ARCHIVE", archive.toString(), "LMFORGE_JAVA_OPTS", "-Xmx1g -Xlog:class+load=info"),
                        "ingest", "--chunk", chunk, "--root", root.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]");
                assertEquals(0, again.status(), again.output().substring(Math.max(0, again.output().length() - 4000)));
            }
        } finally {
            Files.setLastModifiedTime(moduleJar, built);
        }
        assertTrue(again.output().contains("source: shared objects file (top)"), "after " + moduleJar.getFileName() + " changed, classes come from a new archive");
    }
}
