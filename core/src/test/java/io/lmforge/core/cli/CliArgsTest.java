package io.lmforge.core.cli;

import io.lmforge.core.config.ConfigError;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliArgsTest {
    @Test
    void parsesEveryOptionInBothSpellings() {
        CliArgs a = CliArgs.parse(new String[]{"ingest", "--chunk", "0003", "--root=/data", "--set", "a.b=1", "--set=c=2", "--force"});
        assertEquals("ingest", a.stage());
        assertEquals("0003", a.chunk());
        assertEquals("/data", a.root());
        assertEquals(List.of("a.b=1", "c=2"), a.sets());
        assertTrue(a.force());
    }

    @Test
    void anEmptyConfMeansNoFileSoSchedulersCanAlwaysPassTheFlag() {
        assertEquals(null, CliArgs.parse(new String[]{"ingest", "--conf", "", "--chunk", "1"}).conf());
        assertEquals("my.conf", CliArgs.parse(new String[]{"ingest", "--conf=my.conf"}).conf().getPath());
    }

    @Test
    void rejectsUnknownOptionsAndMissingValues() {
        assertThrows(ConfigError.class, () -> CliArgs.parse(new String[]{"ingest", "--chunkk", "1"}));
        assertThrows(ConfigError.class, () -> CliArgs.parse(new String[]{"ingest", "--chunk"}));
        assertThrows(ConfigError.class, () -> CliArgs.parse(new String[]{"ingest", "dedup"}));
    }

    @Test
    void mainReportsUsageErrorsWithStatusTwoAndOneLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = PipelineMain.run(new String[]{"no-such-stage"}, new PrintStream(out), new PrintStream(err), false);
        assertEquals(PipelineMain.USAGE, rc);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("error: unknown stage 'no-such-stage'"), e);
        assertEquals(1, e.lines().count());

        out.reset();
        assertEquals(PipelineMain.OK, PipelineMain.run(new String[]{"--help"}, new PrintStream(out), new PrintStream(err), false));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("demo"), out.toString(StandardCharsets.UTF_8));
    }
}
