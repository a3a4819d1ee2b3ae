package io.lmforge.e2e;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.stage.TokenizeStage;
import io.lmforge.tokenize.stage.TokenizerStore;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bin/pipeline demo` over the three shipped chunks (JSONL.gz, plain text, WET), checked as a user would. */
class DemoEndToEndTest {
    static Path root;
    static Cli.Run first;

    @BeforeAll
    static void runDemo() {
        root = SharedSpark.tempDir("demo");
        first = Cli.run("demo", "--root", root.toString());
    }

    @Test
    void everyChunkIsCommittedWithTheCountInvariant() throws Exception {
        assertEquals(0, first.status(), first.err());
        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        FileSystem fs = layout.fs(spark.sparkContext().hadoopConfiguration());
        for (String chunk : List.of("0001", "0002", "0003")) {
            Manifest m = Manifests.read(fs, layout.docs(chunk));
            assertTrue(m != null, "manifest for " + chunk);
            long kept = Datasets.readChunk(spark, layout, "docs", chunk).count();
            long rejected = Datasets.readChunk(spark, layout, "rejected", chunk).count();
            assertEquals(m.count("kept"), kept, chunk);
            assertEquals(m.count("rejected"), rejected, chunk);
            assertEquals(m.count("records_in"), kept + rejected, "records read = kept + rejected for " + chunk);
            long byReason = 0;
            for (Object v : ((java.util.Map<?, ?>) m.counts().get("by_reason")).values()) {
                byReason += ((Number) v).longValue();
            }
            assertEquals(m.count("rejected"), byReason, "rejections add up by reason for " + chunk);
            assertTrue(kept > 500, chunk + " kept " + kept);
        }
    }

    @Test
    void docsAreLanguageTaggedAcrossScriptsWithTheDocumentedColumns() {
        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        Dataset<Row> docs = Datasets.readChunk(spark, layout, "docs", "0002");
        Set<String> cols = Set.of(docs.columns());
        for (String c : List.of("doc_id", "chunk", "source", "url", "lang", "lang_score", "text", "n_chars", "n_words",
                "dup_line_frac", "line_punct_ratio", "stop_words", "metadata")) {
            assertTrue(cols.contains(c), "docs has column " + c + ": " + cols);
        }
        Set<String> langs = docs.select("lang").distinct().collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
        assertTrue(langs.size() >= 40, "languages kept in chunk 0002: " + langs);
        assertTrue(langs.containsAll(Set.of("en", "de", "ru", "zh", "ja", "ko", "ar", "hi", "th", "el", "ta")), langs.toString());
        assertEquals(0, docs.filter(col("lang_score").lt(0.5)).count(), "below-threshold docs are rejected, not kept");
        assertEquals("0002", docs.select("chunk").first().get(0), "chunk ids keep their leading zeros");
        // Thai documents get ICU word counts, not one "word" per line
        Row th = docs.filter(col("lang").equalTo("th")).orderBy("doc_id").first();
        assertTrue(th.<Integer>getAs("n_words") > 20, "Thai words " + th.getAs("n_words"));
    }

    @Test
    void badRecordsAreQuarantinedWithReasonsAndPiiIsRedacted() {
        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        Dataset<Row> rejected = Datasets.readChunk(spark, layout, "rejected", "0001");
        Set<String> reasons = rejected.select("reason").distinct().collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
        assertTrue(reasons.containsAll(Set.of("malformed_json", "invalid_utf8", "missing_text_field", "truncated_file", "unreadable_file", "empty_text")),
                reasons.toString());
        Row trunc = rejected.filter(col("reason").equalTo("truncated_file")).first();
        assertTrue(trunc.<String>getAs("detail").matches(".*after \\d+ records.*"), trunc.<String>getAs("detail"));
        Row invalid = rejected.filter(col("reason").equalTo("invalid_utf8")).orderBy("doc_id").first();
        assertTrue(invalid.<byte[]>getAs("raw_bytes").length > 0, "undecodable bytes are kept");

        Dataset<Row> docs = Datasets.readChunk(spark, layout, "docs", "0001");
        Row pii = docs.filter(col("text").contains("|||EMAIL_ADDRESS|||").and(col("text").contains("internal host"))).first();
        String text = pii.getAs("text");
        assertFalse(text.contains("help.desk@example-mail.org"), text);
        assertFalse(text.contains("8.8.4.4"));
        assertTrue(text.contains("192.168.1.20"), "private addresses are not PII");
        assertTrue(pii.<Integer>getAs("pii_phones") >= 1);
    }

    @Test
    void dedupFindsTheReArrivalsOfChunkOneInChunkThreeAndAccountsForEveryDocument() throws Exception {
        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        FileSystem fs = layout.fs(spark.sparkContext().hadoopConfiguration());
        for (String chunk : List.of("0001", "0002", "0003")) {
            Manifest m = Manifests.read(fs, layout.chunkDir("dedup/docs", chunk));
            assertEquals(Datasets.readChunk(spark, layout, "docs", chunk).count(), m.count("docs_in"), "dedup reads every kept doc of " + chunk);
            long removed = Datasets.readChunk(spark, layout, "dedup/duplicates", chunk).count();
            assertEquals(m.count("docs_in"), Datasets.readChunk(spark, layout, "dedup/docs", chunk).count() + removed, "docs in = kept + removed, " + chunk);
        }
        // chunk 0003's WET file re-delivers 40 chunk-0001 documents, half verbatim and half with one word doubled
        Dataset<Row> dups3 = Datasets.readChunk(spark, layout, "dedup/duplicates", "0003");
        long fromChunk1 = dups3.filter(col("duplicate_of_chunk").equalTo("0001")).count();
        assertTrue(fromChunk1 >= 25, "re-arrivals found against the index of chunk 0001: " + fromChunk1);
        assertTrue(dups3.filter(col("kind").equalTo("exact")).count() >= 10);
        assertTrue(dups3.filter(col("kind").equalTo("fuzzy")).count() >= 10);
        Dataset<Row> kept1 = Datasets.readChunk(spark, layout, "dedup/docs", "0001");
        assertTrue(List.of(kept1.columns()).containsAll(List.of("dup_cluster_size", "n_lines_removed", "text", "lang")));
    }

    @Test
    void rerunIsSkippedAndForceRecomputesTheSameIds() {
        Cli.Run again = Cli.run("demo", "--root", root.toString());
        assertEquals(0, again.status());
        assertEquals(3, again.out().lines().filter(l -> l.matches("ingest 000\\d: skipped.*")).count(), again.out());
        assertEquals(3, again.out().lines().filter(l -> l.matches("dedup 000\\d: skipped.*")).count(), again.out());
        assertEquals(1, again.out().lines().filter(l -> l.matches("tokenizer-train 0001: skipped.*")).count(), again.out());
        assertEquals(3, again.out().lines().filter(l -> l.matches("tokenize 000\\d: skipped.*")).count(), again.out());
        assertEquals(3, again.out().lines().filter(l -> l.matches("mix 000\\d: skipped.*")).count(), again.out());
        assertEquals(3, again.out().lines().filter(l -> l.matches("train 000\\d: skipped.*")).count(), again.out());
        assertEquals(3, again.out().lines().filter(l -> l.matches("eval 000\\d: skipped.*")).count(), again.out());

        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        List<String> before = Datasets.readChunk(spark, layout, "docs", "0003").select("doc_id").orderBy("doc_id").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList();
        Cli.Run forced = Cli.run("ingest", "--chunk", "0003", "--root", root.toString(), "--force",
                "--set", "ingest.input.paths=[\"" + SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0003") + "\"]");
        assertEquals(0, forced.status(), forced.err());
        assertTrue(forced.out().contains("ingest 0003: committed"), forced.out());
        List<String> after = Datasets.readChunk(spark, layout, "docs", "0003").select("doc_id").orderBy("doc_id").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(before, after);
    }

    @Test
    void runChecksItsStageNamesFirstAndLeavesTheFrozenTokenizerAlone() throws Exception {
        Cli.Run typo = Cli.run("run", "--chunk", "0004", "--root", root.toString(), "--set", "run.stages=[ingest, dedupe]");
        assertEquals(2, typo.status(), typo.out());
        assertTrue(typo.err().contains("run.stages names unknown stage 'dedupe'"), typo.err());
        assertFalse(java.nio.file.Files.exists(root.resolve("docs/chunk=0004")), "nothing ran before the names were checked");

        Cli.Run later = Cli.run("run", "--chunk", "0002", "--root", root.toString(), "--set", "run.stages=[tokenizer-train]");
        assertEquals(0, later.status(), later.err());
        assertTrue(later.out().contains("tokenizer-train 0002: not needed"), later.out());
        assertTrue(later.out().contains("run 0002: committed (0 stages"), later.out());

        // --dry-run: what a new chunk's run would do, and nothing written
        Cli.Run dry = Cli.run("run", "--chunk", "0004", "--root", root.toString(), "--dry-run",
                "--set", "ingest.input.paths=[\"" + SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0003") + "\"]");
        assertEquals(0, dry.status(), dry.err());
        assertTrue(dry.out().contains("ingest 0004: dry-run (would run: no committed output yet)"), dry.out());
        for (String stage : List.of("dedup", "tokenize", "mix", "train", "eval")) {
            assertTrue(dry.out().contains(stage + " 0004: dry-run (would run after the stages before it"), stage + ":\n" + dry.out());
        }
        assertFalse(java.nio.file.Files.exists(root.resolve("docs/chunk=0004")), "a dry run writes nothing");
        Cli.Run upToDate = Cli.run("dedup", "--chunk", "0002", "--root", root.toString(), "--dry-run");
        assertTrue(upToDate.out().contains("dedup 0002: dry-run (up to date: made from the same inputs, config and code at "), upToDate.out());
    }

    @Test
    void tokensDecodeBackToTheDedupedTextWithTheFrozenTokenizer() throws Exception {
        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        FileSystem fs = layout.fs(spark.sparkContext().hadoopConfiguration());
        TokenizerStore store = new TokenizerStore(fs, layout);
        String version = store.current();
        assertEquals(List.of(version), store.versions(), "trained once, on the first chunk");
        BpeTokenizer tok = store.load(version);
        assertEquals(2048, tok.vocabSize(), "demo.set: tokenizer.vocab-size=2048");
        assertEquals(0, tok.id("<|endoftext|>"));
        for (String chunk : List.of("0001", "0002", "0003")) {
            Manifest m = Manifests.read(fs, layout.chunkDir("tokens", chunk));
            assertEquals(version, m.lineage().tokenizerVersion());
            Dataset<Row> text = Datasets.readChunk(spark, layout, "dedup/docs", chunk).select("doc_id", "text");
            Dataset<Row> tokens = Datasets.readChunk(spark, layout, "tokens", chunk);
            assertEquals(text.count(), tokens.count(), "one token row per deduplicated doc in " + chunk);
            assertEquals(m.count("tokens"), tokens.agg(org.apache.spark.sql.functions.sum("n_tokens")).first().getLong(0));
            for (Row r : tokens.join(text, "doc_id").orderBy("doc_id").limit(400).collectAsList()) {
                List<Integer> ids = r.getList(r.fieldIndex("tokens"));
                int[] a = ids.stream().mapToInt(Integer::intValue).toArray();
                String original = r.getAs("text");
                assertEquals(original, tok.decode(a, false), "doc " + r.getAs("doc_id"));
                assertEquals(original.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, (int) r.<Integer>getAs("n_bytes"));
                assertEquals(a.length, (int) r.<Integer>getAs("n_tokens"));
            }
        }
    }

    @Test
    void mixPacksBalancedSequencesAndHoldsOutDocsPerLanguage() throws Exception {
        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        FileSystem fs = layout.fs(spark.sparkContext().hadoopConfiguration());
        for (String chunk : List.of("0001", "0002", "0003")) {
            Manifest m = Manifests.read(fs, layout.chunkDir("mix", chunk));
            Dataset<Row> train = spark.read().parquet(layout.chunkDir("mix", chunk) + "/train");
            assertEquals(m.count("sequences"), train.count());
            assertEquals(0, train.filter(org.apache.spark.sql.functions.size(col("tokens")).notEqual(129)).count(), "seq_len 128 + 1");
            assertEquals(m.count("docs_in"), m.count("train_docs") + m.count("heldout_docs"));
            assertEquals(Datasets.readChunk(spark, layout, "tokens", chunk).count(), m.count("docs_in"));
            Dataset<Row> heldout = spark.read().parquet(layout.chunkDir("mix", chunk) + "/heldout");
            assertEquals(m.count("heldout_docs"), heldout.count());
            assertTrue(heldout.select("lang").distinct().count() >= 40, "held-out docs in most languages of " + chunk);
        }
        com.fasterxml.jackson.databind.JsonNode langs = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new java.io.File(layout.chunkDir("mix", "0001") + "/mixture.json")).get("languages");
        // the largest language loses share to the smallest ones (XGLM alpha 0.3)
        String largest = null;
        String smallest = null;
        for (java.util.Iterator<String> it = langs.fieldNames(); it.hasNext(); ) {
            String l = it.next();
            long t = langs.get(l).get("tokens").asLong();
            if (t > 0 && (largest == null || t > langs.get(largest).get("tokens").asLong())) {
                largest = l;
            }
            if (t > 0 && (smallest == null || t < langs.get(smallest).get("tokens").asLong())) {
                smallest = l;
            }
        }
        assertTrue(langs.get(largest).get("sampled_share").asDouble() < langs.get(largest).get("natural_share").asDouble(), largest);
        assertTrue(langs.get(smallest).get("sampled_share").asDouble() > langs.get(smallest).get("natural_share").asDouble(), smallest);
    }

    @Test
    void trainingContinuesAcrossChunksWithCheckpointsAndMetrics() throws Exception {
        Path run = root.resolve("models/default");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        long previousStep = 0;
        String previous = null;
        for (String chunk : List.of("0001", "0002", "0003")) {
            Path dir = run.resolve("chunk=" + chunk);
            assertTrue(java.nio.file.Files.exists(dir.resolve("model.zip")), "checkpoint of " + chunk);
            com.fasterxml.jackson.databind.JsonNode state = json.readTree(dir.resolve("training_state.json").toFile());
            assertEquals(previous == null ? "null" : previous, state.get("continued_from").asText());
            assertTrue(state.get("step").asLong() > previousStep, chunk + " continues the step count: " + state);
            assertEquals(2048, state.get("vocab_size").asInt());
            previousStep = state.get("step").asLong();
            previous = chunk;
        }
        Dataset<Row> metrics = SharedSpark.get().read().parquet(run.resolve("metrics").toString());
        assertEquals(36, metrics.count(), "12 averaging rounds per chunk (demo.set)");
        assertEquals(0, metrics.filter(col("loss").isNaN().or(col("loss").gt(10))).count(), "finite losses below ln(2048) + 2");
    }

    @Test
    void everyChunkIsEvaluatedAndTheReportHasTheAnytimeCurve() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Path evalRun = root.resolve("eval/default");
        long previousTokens = 0;
        for (String chunk : List.of("0001", "0002", "0003")) {
            com.fasterxml.jackson.databind.JsonNode r = json.readTree(evalRun.resolve("chunk=" + chunk + "/results.json").toFile());
            assertEquals(chunk, r.path("config").path("model_chunk").asText(), "every-chunk schedule: each chunk's own model");
            long tokens = r.path("config").path("tokens_seen").asLong();
            assertTrue(tokens > previousTokens, chunk);
            previousTokens = tokens;
            com.fasterxml.jackson.databind.JsonNode bpb = r.path("bits_per_byte");
            assertTrue(bpb.size() >= 50, "bits per byte for most sample languages: " + bpb.size());
            bpb.fields().forEachRemaining(e -> {
                double v = e.getValue().path("bits_per_byte").asDouble();
                assertTrue(v > 0 && v < 16, e.getKey() + " " + v);
            });
            // demo.set: 5 examples, k 0 and 1, of every task language (11 + 10 + 6)
            assertEquals(27 * 2, r.path("results").size());
            assertEquals(5, r.path("results").path("xstorycloze_sw|1-shot").path("sample_len").asInt());
            assertEquals(27 * 2 * 5, java.nio.file.Files.readAllLines(evalRun.resolve("chunk=" + chunk + "/samples.jsonl")).size());
        }
        Dataset<Row> anytime = SharedSpark.get().read().parquet(evalRun.resolve("anytime").toString());
        assertEquals(4, anytime.select("chunk").distinct().count(), "the untrained model and three chunks");
        // the demo visibly learns: held-out bits per byte (mean over languages, the fixed chunk-0001 set) falls by a quarter
        double untrained = meanBpb(json.readTree(evalRun.resolve("chunk=initial/results.json").toFile()));
        double last = meanBpb(json.readTree(evalRun.resolve("chunk=0003/results.json").toFile()));
        double unigram = meanOf(json.readTree(evalRun.resolve("chunk=0003/results.json").toFile()), "unigram_bits_per_byte");
        System.out.printf(java.util.Locale.ROOT, "demo held-out bits/byte: untrained %.3f, after chunk 0003 %.3f (%.1f%% lower); unigram %.3f%n",
                untrained, last, 100 * (1 - last / untrained), unigram);
        assertTrue(last <= 0.75 * untrained, "bits per byte fell by at least 25%: " + untrained + " -> " + last);
        assertTrue(last < unigram, "the model beats the unigram baseline: " + last + " vs " + unigram);
        String md = java.nio.file.Files.readString(root.resolve("report/default/report.md"));
        assertTrue(md.contains("| initial | initial | 0 |"), "the anytime table starts with the untrained model\n" + md);
        assertTrue(md.contains("unigram model of the training tokens"), md);
        for (String chunk : List.of("0001", "0002", "0003")) {
            assertTrue(md.contains("| " + chunk + " | " + chunk + " |"), "anytime row for " + chunk + "\n" + md);
        }
        assertTrue(md.contains("| cumulative error |"), md);
        assertTrue(java.nio.file.Files.size(root.resolve("report/default/anytime_bpb.png")) > 1000);
        assertTrue(java.nio.file.Files.size(root.resolve("report/default/training_loss.png")) > 1000);
        for (String section : List.of("## Bits per byte by language over chunks", "## Corpus", "## Training loss")) {
            assertTrue(md.contains(section), section + "\n" + md);
        }
        assertTrue(md.contains("| 0003 | 3,931 |"), "the corpus table: chunk 0003's records read\n" + md);
        assertTrue(md.contains("Held-out loss: the eval stage's held-out documents"), md);
        BrowserCheck.Page page = BrowserCheck.render(root.resolve("report/default/report.html"));
        assertEquals("", page.brokenImages(), "every image of the report loads in Chromium");
        assertTrue(page.images() >= 9, "the report's plots: " + page.images());
        assertTrue(page.text().contains("Anytime curve") && page.text().contains("Corpus"), page.text());

        // report --compare: a second report of the same run beside itself
        Cli.Run compared = Cli.run("report", "--root", root.toString(), "--compare", "default", "--set",
                "report.out=\"" + root.resolve("report-compared") + "\"");
        assertEquals(0, compared.status(), compared.err());
        String cmd = java.nio.file.Files.readString(root.resolve("report-compared/report.md"));
        assertTrue(cmd.contains("## Runs compared") && cmd.lines().filter(l -> l.startsWith("| default | 4 | 2,949,120 |")).count() == 1,
                "a run compared with itself is one row: " + cmd);
        assertTrue(java.nio.file.Files.size(root.resolve("report-compared/compare_bpb.png")) > 1000);
        assertEquals("", BrowserCheck.render(root.resolve("report-compared/report.html")).brokenImages());
    }

    private static double meanBpb(com.fasterxml.jackson.databind.JsonNode results) {
        return meanOf(results, "bits_per_byte");
    }

    /** A bits-per-byte field averaged over languages (as the report's anytime table does). */
    private static double meanOf(com.fasterxml.jackson.databind.JsonNode results, String field) {
        double sum = 0;
        int n = 0;
        for (var it = results.path("bits_per_byte").elements(); it.hasNext(); n++) {
            sum += it.next().path(field).asDouble();
        }
        return sum / n;
    }

    /**
     * Every dataset read from Python as the README shows (pandas, pyarrow, DuckDB; python/read_datasets.py):
     * the same rows as Spark, `chunk` a string equal to its directory ("0001", not 1), and no file that
     * stores a column its directory already names.
     */
    @Test
    void pandasPyarrowAndDuckDbReadEveryDatasetWithChunkAsAString() throws Exception {
        String python = io.lmforge.core.testing.PythonEnv.python("readers");
        com.fasterxml.jackson.databind.JsonNode seen = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                io.lmforge.core.testing.PythonEnv.runPython(python, "python/read_datasets.py", root.toString(), "default"));
        SparkSession spark = SharedSpark.get();
        java.util.Map<String, String> dirs = new java.util.LinkedHashMap<>();
        for (String d : List.of("docs", "rejected", "dedup/docs", "dedup/duplicates", "tokens")) {
            dirs.put(d, d);
        }
        dirs.put("metrics", "models/default/metrics");
        dirs.put("anytime", "eval/default/anytime");
        for (var e : dirs.entrySet()) {
            assertTrue(seen.has(e.getKey()), e.getKey() + " read from Python: " + seen);
            long sparkRows = spark.read().parquet(root.resolve(e.getValue()).toString()).count();
            assertEquals(sparkRows, seen.get(e.getKey()).get("rows").asLong(), e.getKey() + ": the rows Spark reads");
        }
        assertEquals("[\"0001\",\"0002\",\"0003\"]", seen.get("docs").get("chunks").toString());
        assertEquals("[\"0001\",\"0002\",\"0003\",\"initial\"]", seen.get("anytime").get("chunks").toString());
    }

    /**
     * export-shards: chunk 0002's packed training sequences as Megatron indexed shards and Parquet for Hugging Face
     * datasets, read back in Python (python/read_shards.py: a NumPy reader of Megatron's published .idx/.bin layout, and
     * datasets.load_dataset) and compared token for token with the mix the train stage read.
     */
    @Test
    void exportShardsWritesMegatronAndHuggingFaceShardsThatReadBackAsTheMix() throws Exception {
        Cli.Run export = Cli.run("export-shards", "--chunk", "0002", "--root", root.toString());
        assertEquals(0, export.status(), export.err());
        long sequences = SharedSpark.get().read().parquet(root.resolve("mix/chunk=0002/train").toString()).count();
        assertTrue(export.out().contains(String.format(java.util.Locale.ROOT, "export-shards 0002: committed (%,d sequences", sequences)), export.out());
        com.fasterxml.jackson.databind.JsonNode read = new com.fasterxml.jackson.databind.ObjectMapper().readTree(io.lmforge.core.testing.PythonEnv.runPython(
                io.lmforge.core.testing.PythonEnv.python("readers"), "python/read_shards.py", root.toString(), "0002"));
        assertEquals(sequences, read.get("sequences").asLong());
        assertEquals("uint16", read.get("dtype").asText(), "an 8,192-token vocabulary fits Megatron's uint16");
        assertEquals(sequences * 129, read.get("tokens").asLong(), "mix.seq-len + 1 tokens per sequence");
    }

    /**
     * The Zeppelin notes under notebooks/: results stripped, and every %spark.sql paragraph runs
     * against the demo's outputs (note forms $${root=...} / $${run=...} filled in) and returns rows; the
     * notes have no other code paragraphs (%md only), so nothing is left unchecked.
     */
    @Test
    void zeppelinNotesRunAgainstTheDemoOutputs() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        // note-level forms ($${name=default}): set once at the top of the note, shared by every paragraph
        java.util.regex.Pattern form = java.util.regex.Pattern.compile("\\$\\$\\{(\\w+)=([^}]*)}");
        java.util.regex.Pattern paragraphForm = java.util.regex.Pattern.compile("(?<!\\$)\\$\\{\\w+=");
        int charts = 0;
        List<Path> notes;
        try (var files = java.nio.file.Files.list(SharedSpark.repoRoot().toPath().resolve("notebooks"))) {
            notes = files.filter(f -> f.toString().endsWith(".zpln")).sorted().toList();
        }
        assertEquals(2, notes.size(), notes.toString());
        int queries = 0;
        for (Path note : notes) {
            com.fasterxml.jackson.databind.JsonNode n = json.readTree(note.toFile());
            assertTrue(note.getFileName().toString().endsWith("_" + n.get("id").asText() + ".zpln"), "Zeppelin 0.9+ file name: <name>_<id>.zpln");
            for (String field : List.of("name", "id", "version", "paragraphs", "config", "info", "noteParams", "noteForms", "angularObjects")) {
                assertTrue(n.has(field), "Zeppelin 0.11 note field " + field + ": " + note);
            }
            for (com.fasterxml.jackson.databind.JsonNode p : n.get("paragraphs")) {
                String title = note.getFileName() + " / " + p.path("title").asText();
                for (String field : List.of("id", "text", "config", "settings", "status")) {
                    assertTrue(p.has(field), "Zeppelin paragraph field " + field + ": " + title);
                }
                assertTrue(p.path("results").isMissingNode() || p.path("results").isEmpty(), "results stripped: " + title);
                assertTrue(p.path("dateStarted").isMissingNode(), "run dates stripped: " + title);
                String text = p.get("text").asText();
                String interpreter = text.lines().findFirst().orElse("").strip();
                if (interpreter.equals("%md")) {
                    continue;
                }
                assertEquals("%spark.sql", interpreter, "only %spark.sql and %md paragraphs, so every code paragraph is checked: " + title);
                java.util.regex.Matcher m = form.matcher(text.substring(text.indexOf('\n') + 1));
                StringBuilder sql = new StringBuilder();
                while (m.find()) {
                    String value = m.group(1).equals("root") ? root.toString() : m.group(2);
                    m.appendReplacement(sql, java.util.regex.Matcher.quoteReplacement(value));
                }
                m.appendTail(sql);
                assertFalse(paragraphForm.matcher(text).find(), "no paragraph-level form: " + title);
                Dataset<Row> result = SharedSpark.get().sql(sql.toString());
                List<Row> rows = result.collectAsList();
                charts += presetChartColumnsExist(p.path("config").path("results").path("0").path("graph"), List.of(result.columns()), title);
                String head = sql.toString().lines().filter(l -> !l.startsWith("--")).findFirst().orElse("").strip().toUpperCase(java.util.Locale.ROOT);
                if (head.startsWith("SELECT") || head.startsWith("WITH")) {
                    assertTrue(rows.size() > 0, "no rows: " + title);
                    queries++;
                }
            }
        }
        assertEquals(10, queries, "every query paragraph of both notes ran");
        assertEquals(6, charts, "the main paragraphs open as charts");
    }

    /** A paragraph's preset chart (config.results.0.graph) names columns the query returns, at their positions; 1 if it has one. */
    private static int presetChartColumnsExist(com.fasterxml.jackson.databind.JsonNode graph, List<String> columns, String title) {
        if (graph.isMissingNode()) {
            return 0;
        }
        assertTrue(List.of("lineChart", "multiBarChart", "stackedAreaChart", "scatterChart", "pieChart").contains(graph.path("mode").asText()), title);
        for (String part : List.of("keys", "groups", "values")) {
            for (com.fasterxml.jackson.databind.JsonNode c : graph.path(part)) {
                assertEquals(c.path("name").asText(), columns.get(c.path("index").asInt()), title + ": chart " + part + " column");
            }
        }
        assertTrue(graph.path("values").size() > 0 && graph.path("keys").size() > 0, title + ": a chart plots values over keys");
        return 1;
    }
}
