package io.lmforge.tokenize.stage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.ChunksBeforeTokenizer;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.TokenizerHeader;
import io.lmforge.core.ids.StableId;
import io.lmforge.core.progress.ProgressReporter;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import io.lmforge.tokenize.train.BpeTrainer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * `tokenizer-train`: trains the byte-level BPE tokenizer on dedup/docs of the given chunk(s),
 * language-balanced, and commits it as tokenizer/&lt;version&gt;/ (version = vocabulary size +
 * content hash of tokenizer.json), then points tokenizer/CURRENT at it.
 */
public final class TokenizerTrainStage extends DatasetStage<List<String>> {
    public static final String NAME = "tokenizer-train";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final StageSpec SPEC = StageSpec.of(NAME, "train the byte-level BPE tokenizer (HF tokenizer.json) on language-balanced dedup/docs")
            .reads("dedup/docs/chunk=ID for --chunk ID, or for every chunk in tokenizer.train.chunks")
            .writes("tokenizer/<version>/tokenizer.json     Hugging Face tokenizers format (byte-level BPE)",
                    "tokenizer/<version>/tokenizer_config.json, stats.json (bytes per token per language)",
                    "tokenizer/CURRENT                      the version tokenize uses by default (moved after the commit)")
            .config("tokenizer.vocab-size", "tokenizer.special-tokens", "tokenizer.train.alpha", "tokenizer.train.max-upsample",
                    "tokenizer.train.max-words", "tokenizer.train.min-pair-count", "mix.seq-len")
            .runtime("tokenizer.train.chunks")
            .notes("<version> = bpe<vocab>-<hash of tokenizer.json>: a version never changes once committed. Up to date means: CURRENT\n"
                    + "was trained from the same docs and config.")
            .build();

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    /** One tokenizer store per root: CURRENT is shared by every chunk. */
    @Override
    public List<String> scope(StageContext ctx) {
        return List.of();
    }

    /** The chunks whose dedup/docs train the tokenizer: tokenizer.train.chunks, or the --chunk given. */
    private static List<String> trainingChunks(StageContext ctx) {
        List<String> chunks = new ArrayList<>(ctx.config().getStringList("tokenizer.train.chunks"));
        if (chunks.isEmpty()) {
            if (ctx.chunk() == null || ctx.chunk().isBlank()) {
                throw new ConfigError(NAME + " needs --chunk ID or tokenizer.train.chunks (the chunks whose dedup/docs it trains on)");
            }
            chunks.add(ctx.chunk());
        }
        return chunks;
    }

    /**
     * Before the first tokenizer, training chunks that kept no document (a first chunk whose every record was
     * rejected) leave nothing to train: the tokenizer waits for the first chunk with text, and the stages that
     * need it pass over these chunks ({@link ChunksBeforeTokenizer}). With a tokenizer committed, training on
     * nothing is a plan error instead: the user named chunks without text.
     */
    @Override
    public String passOver(StageContext ctx, FileSystem fs) throws java.io.IOException {
        if (ChunksBeforeTokenizer.currentVersion(fs, ctx.layout()) != null) {
            return null;
        }
        List<String> chunks = trainingChunks(ctx);
        for (String chunk : chunks) {
            if (ChunksBeforeTokenizer.reason(fs, ctx.layout(), chunk) == null) {
                return null; // text to train on, or a missing input the plan names
            }
        }
        return "no text to train on yet: dedup/docs of " + (chunks.size() == 1 ? "chunk " : "chunks ") + String.join(", ", chunks)
                + " kept 0 documents; the first chunk with text trains the tokenizer";
    }

    @Override
    public StagePlan<List<String>> plan(StageContext ctx) throws Exception {
        List<String> chunks = trainingChunks(ctx);
        FileSystem fs = ctx.layout().fs(ctx.spark().sparkContext().hadoopConfiguration());
        StagePlan<List<String>> plan = new StagePlan<>(fs);
        long kept = 0;
        for (String chunk : chunks) {
            kept += plan.input(ChunksBeforeTokenizer.TRAINING_INPUT + chunk, ctx.layout().dedupDocs(chunk), "run dedup --chunk " + chunk + " first").count("kept");
        }
        TokenizerStore store = new TokenizerStore(fs, ctx.layout());
        String current = store.current();
        if (kept == 0) { // passOver() took the case without a tokenizer: here the user asked for a new one from no text
            throw new ConfigError(NAME + ": no text to train on: dedup/docs of " + (chunks.size() == 1 ? "chunk " : "chunks ") + String.join(", ", chunks)
                    + " kept 0 documents (every record was rejected or removed as a duplicate: see the ingest and dedup manifests); "
                    + "name chunks with text in tokenizer.train.chunks (the current tokenizer, " + current + ", stays)");
        }
        if (current != null) {
            plan.upToDateAt(store.dir(current));
        }
        return plan.payload(chunks).output("tokenizer", null); // the version is a hash of what training produces
    }

    @Override
    public Computed compute(StageRun<List<String>> run) throws Exception {
        PipelineConfig c = run.config();
        List<String> chunks = run.payload();
        Dataset<Row> docs = null;
        for (String chunk : chunks) {
            Dataset<Row> d = Datasets.readChunk(run.spark(), run.layout().dedupDocs(chunk), chunk, io.lmforge.core.dataset.DatasetSchemas.DEDUP_DOCS).select("lang", "text");
            docs = docs == null ? d : docs.unionByName(d);
        }
        int vocabSize = c.getInt("tokenizer.vocab-size");
        long t0 = System.nanoTime();
        AtomicInteger merges = new AtomicInteger();
        BpeTrainer trainer = new BpeTrainer().setVocabSize(vocabSize).setSpecialTokens(c.getStringList("tokenizer.special-tokens"))
                .setAlpha(c.getDouble("tokenizer.train.alpha")).setMaxUpsample(c.getDouble("tokenizer.train.max-upsample"))
                .setMaxWords(c.getInt("tokenizer.train.max-words")).setMinPairCount(c.getLong("tokenizer.train.min-pair-count"))
                .setProgress(merges::set);
        BpeTokenizer tok;
        run.phase("train");
        try (ProgressReporter ignored = run.progress(() -> merges.get() == 0 ? "counting words and pairs on Spark"
                : String.format(Locale.ROOT, "%,d / %,d merges", merges.get(), vocabSize - 256 - c.getStringList("tokenizer.special-tokens").size()))) {
            tok = trainer.fit(docs).tokenizer();
        }
        BpeTrainer.Stats st = trainer.lastStats();
        String json = HfTokenizerJson.write(tok);
        String version = "bpe" + tok.vocabSize() + "-" + StableId.hash(json).substring(0, 12);

        // bytes per token per language on the training docs: what balancing bought each language
        // (counted by the trainer from its word table: the same sums as encoding every document)
        Map<String, Object> byLang = new TreeMap<>();
        long docCount = 0;
        for (Map.Entry<String, Long> e : st.docsByLang().entrySet()) {
            String lang = e.getKey();
            long bytes = st.bytesByLang().getOrDefault(lang, 0L);
            long tokens = st.tokensByLang().getOrDefault(lang, 0L);
            docCount += e.getValue();
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("docs", e.getValue());
            l.put("bytes", bytes);
            l.put("tokens", tokens);
            l.put("bytes_per_token", tokens == 0 ? 0.0 : round3((double) bytes / tokens));
            l.put("train_weight", round3(st.weightByLang().getOrDefault(lang, 0.0)));
            byLang.put(lang, l);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("docs", docCount);
        counts.put("bytes", st.bytesByLang().values().stream().mapToLong(Long::longValue).sum());
        counts.put("vocab_size", tok.vocabSize());
        counts.put("merges", tok.mergeCount());
        counts.put("distinct_words", st.distinctWords());
        counts.put("words_used", st.wordsKept());
        counts.put("by_lang", byLang);
        counts.put("spark_counting_s", round3(st.sparkSeconds()));
        counts.put("merge_loop_s", round3(st.mergeSeconds()));

        TokenizerStore store = new TokenizerStore(run.fs(), run.layout());
        run.decideOutput("tokenizer", store.dir(version));
        Path staged = run.staged("tokenizer");
        FileSystem fs = run.fs();
        fs.mkdirs(staged);
        HadoopFiles.writeString(fs, new Path(staged, TokenizerStore.TOKENIZER_JSON), json);
        HadoopFiles.writeString(fs, new Path(staged, TokenizerHeader.TOKENIZER_CONFIG), JSON.writeValueAsString(tokenizerConfig(c)));
        HadoopFiles.writeString(fs, new Path(staged, "stats.json"), JSON.writeValueAsString(counts));
        run.afterCommit(() -> store.setCurrent(version)); // CURRENT never names an uncommitted version
        printSummary(run.console(), version, st, byLang, seconds);
        return new Computed(counts, new Lineage(null, version, null), String.format(Locale.ROOT, "%s: %,d tokens, %,d merges -> %s",
                version, tok.vocabSize(), tok.mergeCount(), store.dir(version)));
    }

    private static Map<String, Object> tokenizerConfig(PipelineConfig c) {
        List<String> specials = c.getStringList("tokenizer.special-tokens");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tokenizer_class", "PreTrainedTokenizerFast");
        m.put("bos_token", specials.get(0));
        m.put("eos_token", specials.get(0));
        m.put("pad_token", specials.size() > 1 ? specials.get(1) : specials.get(0));
        m.put("model_max_length", c.getInt("mix.seq-len"));
        m.put("clean_up_tokenization_spaces", false);
        return m;
    }

    private static void printSummary(java.io.PrintStream console, String version, BpeTrainer.Stats st, Map<String, Object> byLang, double seconds) {
        console.printf(Locale.ROOT, "tokenizer %s: %,d words (%,d distinct), %,d byte pairs; counting on Spark %.1f s, %,d merges on the driver %.1f s%n",
                version, st.wordsKept(), st.distinctWords(), st.bytePairs(), st.sparkSeconds(), st.merges(), st.mergeSeconds());
        console.println("lang       docs      bytes  weight  bytes/token");
        for (Map.Entry<String, Object> e : byLang.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> l = (Map<String, Object>) e.getValue();
            console.printf(Locale.ROOT, "%-8s %6d %10d %7.2f %12.2f%n", e.getKey(), (Long) l.get("docs"), (Long) l.get("bytes"),
                    (Double) l.get("train_weight"), (Double) l.get("bytes_per_token"));
        }
        console.printf(Locale.ROOT, "tokenizer-train done in %.1f s%n", seconds);
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
