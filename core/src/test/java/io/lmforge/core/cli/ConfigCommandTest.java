package io.lmforge.core.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bin/pipeline config`: every key with the value that wins and where it came from; no root and no Spark needed. */
class ConfigCommandTest {
    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = PipelineMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new String[]{String.valueOf(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void everyKeyShowsItsEffectiveValueAndOrigin() throws Exception {
        Path conf = Files.createTempFile("lmforge", ".conf");
        conf.toFile().deleteOnExit();
        Files.writeString(conf, "# a user file\ntrain {\n  workers = 3\n  run = \"from-file\"\n}\n");
        String[] r = run("config", "--conf", conf.toString(), "--set", "train.run=from-set", "--allow-gaps");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\ntrain.workers = 3  # " + conf + ":3\n"), r[1]);
        assertTrue(r[1].contains("\ntrain.run = \"from-set\"  # --set train.run\n"), "--set wins over the file: " + r[1]);
        assertTrue(r[1].contains("\npipeline.allow-gaps = true  # --set pipeline.allow-gaps\n"), r[1]);
        assertTrue(r[1].matches("(?s).*\ndedup\\.fuzzy\\.bands = 14  # reference\\.conf:\\d+\n.*"), r[1]);
        assertTrue(r[1].contains("config: reported"), r[1]);
    }

    @Test
    void aWrongValueFailsHereAsInEveryStage() {
        String[] r = run("config", "--set", "train.workers=zero");
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("error: ") && r[2].contains("train.workers"), r[2]);
    }
}
