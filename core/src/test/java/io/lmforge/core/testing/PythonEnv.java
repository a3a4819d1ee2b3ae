package io.lmforge.core.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Pinned Python environments for interop tests (HF tokenizers, transformers, Airflow): created
 * on first use by bin/python-env from python/requirements-NAME.txt, so `mvn verify` needs only
 * python3 and PyPI. A test that needs Python fails (does not skip) when it cannot be set up.
 */
public final class PythonEnv {
    private PythonEnv() {
    }

    /** Path of the environment's python, creating the environment if needed. */
    public static synchronized String python(String name) {
        File root = SharedSpark.repoRoot();
        String out = run(root, 900, new File(root, "bin/python-env").getPath(), name).trim();
        String[] lines = out.split("\n");
        return lines[lines.length - 1].trim();
    }

    /** Runs a command, returns stdout; throws with stderr when it fails or runs past timeoutSeconds. */
    public static String run(File dir, long timeoutSeconds, String... command) {
        try {
            File err = File.createTempFile("lmforge-proc", ".err");
            err.deleteOnExit();
            Process p = new ProcessBuilder(command).directory(dir).redirectError(err).start();
            byte[] stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            String stderr = java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", command) + "\n" + stderr);
            }
            return new String(stdout, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String runPython(String python, String script, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(python);
        cmd.add(new File(SharedSpark.repoRoot(), script).getPath());
        cmd.addAll(List.of(args));
        return run(SharedSpark.repoRoot(), 900, cmd.toArray(new String[0]));
    }
}
