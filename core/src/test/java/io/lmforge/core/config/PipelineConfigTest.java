package io.lmforge.core.config;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineConfigTest {

    @Test
    void referenceDefaultsLoadAndDocumentedKeysExist() {
        PipelineConfig c = PipelineConfig.load(null, List.of());
        assertEquals("text", c.getString("ingest.input.text-field"));
        assertTrue(c.getBoolean("ingest.filters.enabled"));
        assertEquals(0.5, c.getDouble("ingest.langid.min-score.default"));
        assertEquals("auto", c.getString("ingest.input.format"));
    }

    @Test
    void setOverridesWinOverFileAndAcceptHoconValues() throws Exception {
        File f = File.createTempFile("user", ".conf");
        f.deleteOnExit();
        Files.writeString(f.toPath(), "ingest.filters.defaults.min-words = 10\npipeline.root = /from/file\n");
        PipelineConfig c = PipelineConfig.load(f, List.of("ingest.filters.defaults.min-words=20", "ingest.input.paths=[a, \"b c\"]"));
        assertEquals(20, c.getInt("ingest.filters.defaults.min-words"));
        assertEquals(List.of("a", "b c"), c.getStringList("ingest.input.paths"));
        assertEquals("/from/file", c.getString("pipeline.root"));
    }

    @Test
    void unknownKeyFailsWithOneLineNamingItAndASuggestion() {
        ConfigError e = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("ingest.filters.defaults.min-wrds=3")));
        assertTrue(e.getMessage().contains("'ingest.filters.defaults.min-wrds'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'ingest.filters.defaults.min-words'"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void wrongTypeFailsNamingTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("ingest.filters.enabled=maybe")));
        assertTrue(e.getMessage().contains("'ingest.filters.enabled' must be true or false"), e.getMessage());
        ConfigError e2 = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("ingest.input.paths=notalist")));
        assertTrue(e2.getMessage().contains("must be a list"), e2.getMessage());
    }

    @Test
    void openMapsAcceptLanguagesButCheckTheirKeysAndTypes() {
        PipelineConfig c = PipelineConfig.load(null, List.of("ingest.langid.min-score.th=0.8", "ingest.filters.per-lang.my.min-words=10",
                "pipeline.spark.conf.\"spark.executor.memory\"=4g"));
        assertEquals(0.8, c.getDouble("ingest.langid.min-score.th"));
        assertEquals(10, c.getInt("ingest.filters.per-lang.my.min-words"));
        assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("ingest.filters.per-lang.my.min-wordz=10")));
        assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("ingest.langid.min-score.th=high")));
    }

    @Test
    void hashChangesWithTheSubtreeOnly() {
        PipelineConfig a = PipelineConfig.load(null, List.of());
        PipelineConfig b = PipelineConfig.load(null, List.of("ingest.filters.defaults.min-words=7"));
        PipelineConfig d = PipelineConfig.load(null, List.of("pipeline.progress-interval-s=1"));
        assertNotEquals(a.hashOf("ingest.filters"), b.hashOf("ingest.filters"));
        assertEquals(a.hashOf("ingest.filters"), d.hashOf("ingest.filters"));
    }

    @Test
    void missingConfFileIsAClearError() {
        ConfigError e = assertThrows(ConfigError.class, () -> PipelineConfig.load(new File("/nope/x.conf"), List.of()));
        assertTrue(e.getMessage().contains("/nope/x.conf"));
    }
}
