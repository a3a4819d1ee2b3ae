package io.lmforge.tokenize.mix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.testing.Fixtures;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageRegistry;
import io.lmforge.core.stage.StageResult;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import io.lmforge.tokenize.stage.MixStage;
import io.lmforge.tokenize.train.MergeLearner;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mix stage on committed token chunks whose documents are recognisable in the packed
 * stream (each document's first two tokens are its number), so the test can count how often
 * each document was sampled and check that held-out documents never reach training.
 */
class MixStageTest {
    private static final int SEQ_LEN = 31;
    private static final Map<String, Integer> DOCS_PER_LANG = Map.of("big", 600, "mid", 60, "tiny", 8);
    private static Path root;

    @BeforeAll
    static void commitTokens() throws Exception {
        root = SharedSpark.tempDir("mix");
        String json = HfTokenizerJson.write(new MergeLearner(List.of("<|endoftext|>", "<|pad|>"), List.of(), new long[0]).learn(258, 1, null));
        DatasetLayout layout = new DatasetLayout(root.toString());
        Fixtures.commit(SharedSpark.get(), layout, "tokenizer-train", null, layout.tokenizer("v1"), staged -> {
            Files.createDirectories(Path.of(staged.toString()));
            Files.writeString(Path.of(staged.toString()).resolve("tokenizer.json"), json);
        }, Map.of(), new Lineage(null, "v1", null));
        Files.writeString(root.resolve("tokenizer/CURRENT"), "v1\n");
        Fixtures.arrive(SharedSpark.get(), layout, "0001", "0002");
        writeChunk("0001", 0);
        writeChunk("0002", 10_000);
    }

    private static void writeChunk(String chunk, int firstDoc) throws Exception {
        SparkSession spark = SharedSpark.get();
        List<Row> rows = new ArrayList<>();
        int doc = firstDoc;
        for (String lang : List.of("big", "mid", "tiny")) {
            for (int i = 0; i < DOCS_PER_LANG.get(lang); i++, doc++) {
                int[] t = new int[5 + doc % 20];
                t[0] = 2 + doc / 256;
                t[1] = 2 + doc % 256;
                for (int k = 2; k < t.length; k++) {
                    t[k] = 250;
                }
                rows.add(RowFactory.create(String.format("%032d", doc), lang, t.length, t.length, toList(t)));
            }
        }
        StructType schema = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
                .add("n_bytes", DataTypes.IntegerType).add("n_tokens", DataTypes.IntegerType)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false));
        DatasetLayout layout = new DatasetLayout(root.toString());
        Fixtures.commit(spark, layout, "tokenize", chunk, layout.tokens(chunk),
                staged -> spark.createDataFrame(rows, schema).repartition(3).write().partitionBy("lang").parquet(staged.toString()),
                Map.of("docs", rows.size()), new Lineage(null, "v1", null));
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int v : a) {
            l.add(v);
        }
        return l;
    }

    private static StageResult runMix(String chunk, boolean force, String... overrides) throws Exception {
        List<String> sets = new ArrayList<>(List.of("mix.seq-len=" + SEQ_LEN, "mix.heldout-fraction=0.1"));
        sets.addAll(List.of(overrides));
        PipelineConfig config = PipelineConfig.load(null, sets);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        StageContext ctx = new StageContext(SharedSpark.get(), config, new DatasetLayout(root.toString()), chunk, force,
                new PrintStream(console, true, StandardCharsets.UTF_8), new StageRegistry());
        return new MixStage().run(ctx);
    }

    /** doc number -> times it occurs complete in the packed stream of a chunk. */
    private static Map<Integer, Integer> docsInStream(String chunk) {
        List<Row> seqs = SharedSpark.get().read().parquet(root.resolve("mix/chunk=" + chunk + "/train").toString()).orderBy("seq_id").collectAsList();
        Map<Long, List<Integer>> streams = new HashMap<>();
        for (Row r : seqs) {
            List<Integer> t = r.getList(1);
            assertEquals(SEQ_LEN + 1, t.size(), "every sequence holds seq_len + 1 tokens");
            streams.computeIfAbsent(r.getLong(0) >>> 32, b -> new ArrayList<>()).addAll(t);
        }
        Map<Integer, Integer> seen = new HashMap<>();
        for (List<Integer> s : streams.values()) {
            int start = 0;
            for (int i = 0; i < s.size(); i++) {
                if (s.get(i) == 0) { // the separator closes a complete document
                    int doc = (s.get(start) - 2) * 256 + (s.get(start + 1) - 2);
                    seen.merge(doc, 1, Integer::sum);
                    start = i + 1;
                }
            }
        }
        return seen;
    }

    @Test
    void heldOutDocsNeverReachTrainingAndSmallLanguagesAreUpsampled() throws Exception {
        StageResult r = runMix("0001", true);
        assertEquals(StageResult.Outcome.COMMITTED, r.outcome());
        Set<Integer> heldout = new HashSet<>();
        for (Row row : SharedSpark.get().read().parquet(root.resolve("mix/chunk=0001/heldout").toString()).select("tokens").collectAsList()) {
            List<Integer> t = row.getList(0);
            heldout.add((t.get(0) - 2) * 256 + (t.get(1) - 2));
        }
        Map<Integer, Integer> seen = docsInStream("0001");
        for (int h : heldout) {
            assertFalse(seen.containsKey(h), "held-out doc " + h + " is in the training stream");
        }
        assertTrue(heldout.stream().anyMatch(d -> d >= 660), "the tiny language has a held-out doc too: " + heldout);

        JsonNode mixture = new ObjectMapper().readTree(root.resolve("mix/chunk=0001/mixture.json").toFile());
        JsonNode tiny = mixture.get("languages").get("tiny");
        JsonNode big = mixture.get("languages").get("big");
        assertTrue(tiny.get("sampled_share").asDouble() > 2 * tiny.get("natural_share").asDouble(), tiny.toString());
        assertTrue(big.get("sampled_share").asDouble() < big.get("natural_share").asDouble(), big.toString());
        assertEquals(4.0, tiny.get("repeats").asDouble(), 1e-9, "capped at mix.max-repeats");
        // every tiny train doc is repeated exactly 4 times (less what the dropped bucket tails cut off)
        int tinyCopies = 0;
        for (int d = 660; d < 668; d++) {
            if (!heldout.contains(d)) {
                assertTrue(seen.getOrDefault(d, 0) <= 4 && seen.getOrDefault(d, 0) >= 3, "doc " + d + " seen " + seen.get(d));
                tinyCopies += seen.getOrDefault(d, 0);
            }
        }
        assertTrue(tinyCopies > 0);

        JsonNode counts = mixture.get("counts");
        assertEquals(counts.get("docs_in").asLong(), counts.get("train_docs").asLong() + counts.get("heldout_docs").asLong());
        assertEquals(counts.get("stream_tokens").asLong(), counts.get("packed_tokens").asLong() + counts.get("dropped_tail_tokens").asLong());
    }

    @Test
    void sameInputsGiveTheSameSequencesAndRerunsSkip() throws Exception {
        runMix("0001", true);
        List<Row> a = SharedSpark.get().read().parquet(root.resolve("mix/chunk=0001/train").toString()).orderBy("seq_id").collectAsList();
        assertEquals(StageResult.Outcome.SKIPPED, runMix("0001", false).outcome());
        SharedSpark.get().conf().set("spark.sql.shuffle.partitions", "7");
        try {
            runMix("0001", true);
        } finally {
            SharedSpark.get().conf().set("spark.sql.shuffle.partitions", "4");
        }
        List<Row> b = SharedSpark.get().read().parquet(root.resolve("mix/chunk=0001/train").toString()).orderBy("seq_id").collectAsList();
        assertEquals(a, b);
    }

    @Test
    void replayMixesInEarlierChunksTrainingDocs() throws Exception {
        runMix("0001", true);
        runMix("0002", true, "mix.replay.fraction=0.25");
        Map<Integer, Integer> seen = docsInStream("0002");
        long replayed = seen.keySet().stream().filter(d -> d < 10_000).count();
        long own = seen.keySet().stream().filter(d -> d >= 10_000).count();
        assertTrue(replayed > 20 && own > replayed, "replayed " + replayed + " docs of chunk 0001, own " + own);
        Set<Integer> heldout1 = new HashSet<>();
        for (Row row : SharedSpark.get().read().parquet(root.resolve("mix/chunk=0001/heldout").toString()).select("tokens").collectAsList()) {
            List<Integer> t = row.getList(0);
            heldout1.add((t.get(0) - 2) * 256 + (t.get(1) - 2));
        }
        for (int h : heldout1) {
            assertFalse(seen.containsKey(h), "chunk 0001's held-out doc " + h + " was replayed");
        }
    }
}
