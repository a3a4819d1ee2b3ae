package io.lmforge.e2e;

import io.lmforge.core.cli.PipelineMain;
import io.lmforge.core.testing.SharedSpark;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI entry point in this JVM, as bin/pipeline would, on the shared SparkSession. */
final class Cli {
    record Run(int status, String out, String err) {
    }

    private Cli() {
    }

    static Run run(String... args) {
        SharedSpark.get();
        System.setProperty("lmforge.home", SharedSpark.repoRoot().getPath());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = PipelineMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        Run r = new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.print(r.out());
        System.err.print(r.err());
        return r;
    }
}
