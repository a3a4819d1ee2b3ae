package io.lmforge.ingest.langid;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A language-ID model is read once per JVM (the pipeline daemon's ingests share it) and read again when its files change. */
class LangIdModelStoreTest {
    @Test
    void aModelIsReadOnceUntilItIsReplacedInPlace() throws Exception {
        SparkSession spark = SharedSpark.get();
        Path model = SharedSpark.tempDir("langid-store").resolve("langid");
        Path bundled = SharedSpark.repoRoot().toPath().resolve("data/models/langid");
        try (Stream<Path> files = Files.walk(bundled)) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(bundled.relativize(f).toString()));
            }
        }
        LinearLanguageModel first = LangIdModelStore.load(spark, model.toString());
        assertSame(first, LangIdModelStore.load(spark, model.toString()), "the same files: the model already read");

        // retrained in place: another fitted temperature, written later
        Path info = model.resolve("langid.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = (ObjectNode) json.readTree(info.toFile());
        node.put("temperature", first.temperature() * 2);
        FileTime before = Files.getLastModifiedTime(info);
        json.writeValue(info.toFile(), node);
        Files.setLastModifiedTime(info, FileTime.fromMillis(before.toMillis() + 2000));
        LinearLanguageModel second = LangIdModelStore.load(spark, model.toString());
        assertNotSame(first, second);
        assertEquals(first.temperature() * 2, second.temperature(), 1e-12);
        assertEquals(java.util.List.of(first.labels()), java.util.List.of(second.labels()));
    }
}
