package io.lmforge.ingest.read;

import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageRegistry;
import io.lmforge.core.stage.StageResult;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.ingest.IngestStage;
import io.lmforge.ingest.SampleText;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader fuzz's mutants, plus mutated Parquet files (bytes damaged behind an intact footer, cut,
 * damaged anywhere), as one chunk through the whole ingest stage, twice: the stage commits, every
 * record the readers produced is on disk as kept or rejected (the manifest's counts, its per-file
 * records and the rows on disk agree), and the second run decides every record as the first did.
 */
class IngestStageFuzzTest {

    @Test
    void mutatedFilesThroughTheIngestStageAreAllCountedAndDecidedTheSameTwice() throws Exception {
        Path in = SharedSpark.tempDir("stage-fuzz-in");
        Random rnd = new Random(4242);
        int files = ReaderFuzzTest.writeMutants(in, 1, rnd, List.of("", ".gz", ".zst", ".gz!", ".zst!")).size() + parquetMutants(in, rnd);
        Map<String, Long> first = ingest(in, "stage-fuzz-a", files);
        Map<String, Long> second = ingest(in, "stage-fuzz-b", files);
        assertEquals(first, second, "the same decision for every record, twice");
    }

    /** Ingests {@code in} under a new root; checks the counts; returns doc_id -> 0 (kept) or 1 (rejected) as a fingerprint of the decisions. */
    private static Map<String, Long> ingest(Path in, String name, int files) throws Exception {
        SparkSession spark = SharedSpark.get();
        Path root = SharedSpark.tempDir(name);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        DatasetLayout layout = new DatasetLayout(root.toString());
        StageContext ctx = new StageContext(spark, PipelineConfig.load(null, List.of("ingest.input.paths=[\"" + in + "\"]")), layout, "0001",
                false, new PrintStream(console, true, StandardCharsets.UTF_8), new StageRegistry());
        StageResult r = new IngestStage().run(ctx);
        System.out.print(console.toString(StandardCharsets.UTF_8));
        assertEquals(StageResult.Outcome.COMMITTED, r.outcome());
        Manifest m = Manifests.read(layout.fs(spark.sparkContext().hadoopConfiguration()), layout.docs("0001"));
        long recordsIn = ((Number) m.counts().get("records_in")).longValue();
        long kept = Datasets.readChunk(spark, layout, "docs", "0001").count();
        long rejected = Datasets.readChunk(spark, layout, "rejected", "0001").count();
        assertEquals(recordsIn, kept + rejected, "records read = kept + rejected on disk: " + m.counts());
        assertEquals(files, m.inputs().size(), "every input file is listed");
        assertEquals(recordsIn, m.inputs().stream().mapToLong(i -> ((Number) i.get("records")).longValue()).sum(),
                "the per-file records add up to the records read");
        Map<String, Long> decisions = new TreeMap<>();
        Datasets.readChunk(spark, layout, "docs", "0001").select("doc_id").collectAsList().forEach(x -> decisions.put(x.getString(0), 0L));
        for (Row x : Datasets.readChunk(spark, layout, "rejected", "0001").select("doc_id", "source", "offset", "reason", "detail").collectAsList()) {
            Long before = decisions.put(x.getString(0), 1L);
            assertEquals(null, before, () -> "one row per record, kept or rejected: " + x + " is also " + (before == 0 ? "kept" : "rejected"));
        }
        assertEquals(recordsIn, decisions.size(), "doc ids are unique");
        assertEquals(0, Datasets.readChunk(spark, layout, "rejected", "0001").where("reason IS NULL").count(), "every rejected row has a reason");
        assertEquals(0, Datasets.readChunk(spark, layout, "rejected", "0001").where("reason IN ('invalid_utf8', 'malformed_json', "
                + "'invalid_unicode', 'missing_text_field', 'record_too_large', 'truncated_file', 'unreadable_file', 'non_text_content') "
                + "AND (detail IS NULL OR detail = '')").count(), "a read error says what was wrong (filters' reasons come with their signals)");
        assertTrue(Datasets.readChunk(spark, layout, "rejected", "0001").filter(org.apache.spark.sql.functions.col("detail")
                .contains("a data page could not be decoded")).count() > 0, "Parquet damage behind an intact footer is counted, not fatal");
        return decisions;
    }

    /** A Parquet file of sample paragraphs in small row groups, and mutants of it; returns how many files were written. */
    private static int parquetMutants(Path dir, Random rnd) throws Exception {
        Path tmp = SharedSpark.tempDir("stage-fuzz-parquet");
        List<Row> rows = new ArrayList<>();
        for (String p : Files.readString(SampleText.sampleDir().resolve("chunk-0002/text/gnome-help-en.txt")).split("\n\n")) {
            rows.add(RowFactory.create(p));
        }
        SharedSpark.get().createDataFrame(rows, new StructType().add("text", "string")).coalesce(1).write()
                .option("parquet.block.size", 16384).option("compression", "snappy").parquet(tmp.resolve("pq").toString());
        Path part;
        try (var parts = Files.list(tmp.resolve("pq"))) {
            part = parts.filter(x -> x.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        byte[] good = Files.readAllBytes(part);
        int footer = java.nio.ByteBuffer.wrap(good, good.length - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        int data = good.length - footer - 8;
        Files.write(dir.resolve("intact.parquet"), good);
        for (int m = 0; m < 4; m++) {
            byte[] b = good.clone();
            for (int k = 0; k < 1 + rnd.nextInt(8); k++) { // damage behind an intact footer
                b[4 + rnd.nextInt(data - 4)] = (byte) rnd.nextInt(256);
            }
            Files.write(dir.resolve("pages" + m + ".parquet"), b);
        }
        Files.write(dir.resolve("cut.parquet"), java.util.Arrays.copyOf(good, 4 + rnd.nextInt(good.length - 4)));
        Files.write(dir.resolve("mutated.parquet"), ReaderFuzzTest.mutate(good, rnd));
        return 7;
    }
}
