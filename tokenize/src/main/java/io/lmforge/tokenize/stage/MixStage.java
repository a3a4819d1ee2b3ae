package io.lmforge.tokenize.stage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.ChunkRegistry;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.LangPartitionedWrite;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.progress.ProgressReporter;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.tokenize.mix.HeldoutSplit;
import io.lmforge.tokenize.mix.PackInput;
import io.lmforge.tokenize.mix.PackedSequence;
import io.lmforge.tokenize.mix.SequencePacker;
import io.lmforge.tokenize.mix.TemperatureSampling;
import io.lmforge.tokenize.mix.Uniform;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * `mix --chunk ID`: tokens/chunk=ID -> mix/chunk=ID/{train/, heldout/, mixture.json}. Held-out
 * documents per language; the rest is balanced across languages by XGLM temperature sampling
 * over token counts (repeats capped), optionally joined by replayed documents of earlier chunks,
 * ordered by a seeded hash and packed into seq_len + 1 token sequences.
 */
public final class MixStage extends DatasetStage<MixStage.Plan> {
    public static final String NAME = "mix";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final StageSpec SPEC = StageSpec.of(NAME,
                    "balance languages (XGLM temperature sampling), hold out docs, pack token sequences for training")
            .perChunk()
            .reads("tokens/chunk=ID (and tokens of earlier chunks when mix.replay.fraction > 0), the tokenizer they were encoded with")
            .writes("mix/chunk=ID/train/        seq_id, tokens array<int> (mix.seq-len + 1 tokens each)",
                    "mix/chunk=ID/heldout/      lang=L/: doc_id, n_bytes, n_tokens, tokens (whole documents)",
                    "mix/chunk=ID/mixture.json  per language: docs, bytes, tokens, natural/sampled share, repeats")
            .config("mix", "tokenizer.special-tokens")
            .build();

    record Plan(Settings settings, String version, List<String> replayChunks, long docs, long tokens) {
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    private record Settings(double alpha, double maxRepeats, int seqLen, double heldout, long seed, int buckets, double replay) {
        static Settings of(PipelineConfig c) {
            Settings s = new Settings(c.getDouble("mix.alpha"), c.getDouble("mix.max-repeats"), c.getInt("mix.seq-len"),
                    c.getDouble("mix.heldout-fraction"), c.getLong("mix.seed"), c.getInt("mix.pack-buckets"), c.getDouble("mix.replay.fraction"));
            check(s.alpha >= 0 && s.alpha <= 1, "mix.alpha must be in [0, 1]");
            check(s.maxRepeats >= 1, "mix.max-repeats must be >= 1");
            check(s.seqLen >= 1, "mix.seq-len must be >= 1");
            check(s.heldout >= 0 && s.heldout < 1, "mix.heldout-fraction must be in [0, 1)");
            check(s.buckets >= 1, "mix.pack-buckets must be >= 1");
            check(s.replay >= 0 && s.replay < 1, "mix.replay.fraction must be in [0, 1)");
            return s;
        }

        private static void check(boolean ok, String msg) {
            if (!ok) {
                throw new ConfigError(msg);
            }
        }
    }

    @Override
    public org.apache.hadoop.fs.Path committedOutput(StageContext ctx, String chunk) {
        return ctx.layout().mix(chunk);
    }

    /** A chunk that kept no document before any tokenizer existed has nothing to mix. */
    @Override
    public String passOver(StageContext ctx, FileSystem fs) throws java.io.IOException {
        return passOverChunkBeforeTokenizer(ctx, fs);
    }

    /** Chunk N's mix replays and balances against the mixes of the chunks before it. */
    @Override
    public boolean arrivalOrdered() {
        return true;
    }

    @Override
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        String chunk = ctx.chunk();
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        Settings s = Settings.of(ctx.config());
        StagePlan<Plan> plan = new StagePlan<>(fs);
        Manifest input = plan.input("tokens", layout.tokens(chunk), "run tokenize --chunk " + chunk + " first");
        String version = input.lineageOrNone().requireTokenizer("tokens chunk " + chunk);
        plan.input("tokenizer", layout.tokenizer(version), "the tokenizer of tokens chunk " + chunk);
        List<String> replayChunks = s.replay > 0 ? earlierChunks(fs, layout, chunk) : List.of();
        for (String e : replayChunks) {
            Manifest em = plan.input("tokens " + e + " (replay)", layout.tokens(e), "tokenize --chunk " + e);
            if (!version.equals(em.lineageOrNone().tokenizerVersion())) {
                throw new ConfigError("mix " + chunk + ": replay chunk " + e + " was tokenized with " + em.lineageOrNone().tokenizerVersion()
                        + ", this chunk with " + version + "; re-tokenize it (tokenize --chunk " + e + " --force)");
            }
        }
        return plan.payload(new Plan(s, version, replayChunks, input.count("docs"), input.count("tokens"))).output("mix", layout.mix(chunk));
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        String chunk = run.chunk();
        SparkSession spark = run.spark();
        DatasetLayout layout = run.layout();
        FileSystem fs = run.fs();
        Settings s = run.payload().settings();
        String version = run.payload().version();
        List<String> replayChunks = run.payload().replayChunks();
        TokenizerStore store = new TokenizerStore(fs, layout);
        String separatorToken = run.config().getStringList("tokenizer.special-tokens").get(0);
        int separator = store.load(version).id(separatorToken);
        if (separator < 0) {
            throw new ConfigError("tokenizer " + version + " has no separator token '" + separatorToken + "' (tokenizer.special-tokens[0])");
        }
        long t0 = System.nanoTime();
        Path staged = run.staged("mix");
        run.phase("mix");
        try (ProgressReporter ignored = run.progress(() -> String.format(Locale.ROOT, "%,d docs, %,d tokens", run.payload().docs(), run.payload().tokens()))) {
            Dataset<Row> docs = HeldoutSplit.apply(Datasets.readChunk(spark, layout.tokens(chunk), chunk, io.lmforge.core.dataset.DatasetSchemas.TOKENS), s.heldout, s.seed)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            Dataset<Row> train = docs.where(col("heldout").equalTo(false));
            LangPartitionedWrite.write(DatasetSchemas.conform(docs.where(col("heldout")), DatasetSchemas.TOKENS), 1, "zstd",
                    new Path(staged, "heldout").toString());

            // per-language natural token counts -> repeats
            Map<String, long[]> natural = new TreeMap<>(); // lang -> {train docs, bytes, tokens, heldout docs, heldout tokens}
            for (Row r : docs.groupBy("lang", "heldout").agg(count("*"), sum("n_bytes"), sum("n_tokens")).collectAsList()) {
                long[] a = natural.computeIfAbsent(r.getString(0), k -> new long[5]);
                if (r.getBoolean(1)) {
                    a[3] += r.getLong(2);
                    a[4] += r.getLong(4);
                } else {
                    a[0] += r.getLong(2);
                    a[1] += r.getLong(3);
                    a[2] += r.getLong(4);
                }
            }
            Map<String, Long> tokensByLang = new TreeMap<>();
            natural.forEach((l, a) -> tokensByLang.put(l, a[2]));
            Map<String, Double> probs = TemperatureSampling.probabilities(tokensByLang, s.alpha);
            Map<String, Double> repeats = TemperatureSampling.repeats(tokensByLang, s.alpha, s.maxRepeats);
            List<Row> rRows = new ArrayList<>();
            repeats.forEach((l, r) -> rRows.add(RowFactory.create(l, r)));
            Dataset<Row> rTable = spark.createDataFrame(rRows, new StructType().add("lang", DataTypes.StringType).add("r", DataTypes.DoubleType));

            // copies = floor(r) + 1 with probability frac(r), decided per document
            Dataset<Row> sampled = train.join(broadcast(rTable), "lang")
                    .withColumn("copies", floor(col("r")).cast("int").plus(when(Uniform.ofDoc(s.seed, "repeat").lt(col("r").minus(floor(col("r")))), 1).otherwise(0)))
                    .where(col("copies").gt(0))
                    .withColumn("copy", explode(sequence(lit(0), col("copies").minus(1))))
                    .select(col("doc_id"), col("lang"), col("n_tokens"), col("tokens"), col("copy"), lit(false).as("replay"));
            long replayAvailable = 0;
            if (!replayChunks.isEmpty()) {
                long sampledTokens = sampled.agg(sum("n_tokens")).first().isNullAt(0) ? 0 : sampled.agg(sum("n_tokens")).first().getLong(0);
                Dataset<Row> earlier = null;
                for (String e : replayChunks) {
                    Dataset<Row> d = HeldoutSplit.apply(Datasets.readChunk(spark, layout.tokens(e), e, io.lmforge.core.dataset.DatasetSchemas.TOKENS), s.heldout, s.seed)
                            .where(col("heldout").equalTo(false)).select("doc_id", "lang", "n_tokens", "tokens");
                    earlier = earlier == null ? d : earlier.unionByName(d);
                }
                Row er = earlier.agg(sum("n_tokens")).first();
                replayAvailable = er.isNullAt(0) ? 0 : er.getLong(0);
                double want = s.replay / (1 - s.replay) * sampledTokens;
                double q = replayAvailable == 0 ? 0 : Math.min(1.0, want / replayAvailable);
                sampled = sampled.unionByName(earlier.where(Uniform.ofDoc(s.seed, "replay-" + chunk).lt(q))
                        .withColumn("copy", lit(0)).withColumn("replay", lit(true)));
            }
            Dataset<Row> ordered = sampled
                    .withColumn("key", Uniform.hash(s.seed, "order-" + chunk, col("doc_id"), col("copy")))
                    .withColumn("bucket", pmod(col("key"), lit((long) s.buckets)).cast("int"))
                    .persist(StorageLevel.MEMORY_AND_DISK());

            // per-bucket stream lengths tell exactly how many sequences and dropped tokens to expect
            int length = s.seqLen + 1;
            long expectedSeqs = 0;
            long dropped = 0;
            long streamTokens = 0;
            for (Row r : ordered.groupBy("bucket").agg(sum(col("n_tokens").plus(1))).collectAsList()) {
                long n = r.getLong(1);
                streamTokens += n;
                expectedSeqs += n / length;
                dropped += SequencePacker.droppedTokens(n, length);
            }
            Dataset<PackedSequence> packed = ordered.repartition(s.buckets, col("bucket")).sortWithinPartitions("bucket", "key", "doc_id", "copy")
                    .select("bucket", "tokens").as(Encoders.bean(PackInput.class))
                    .mapPartitions(new SequencePacker(length, separator), Encoders.bean(PackedSequence.class));
            DatasetSchemas.conform(packed.toDF().select(col("seqId").as("seq_id"), col("tokens")), DatasetSchemas.SEQUENCES)
                    .sortWithinPartitions("seq_id").write().option("compression", "zstd")
                    .parquet(new Path(staged, "train").toString());
            long written = Datasets.countRows(spark, new Path(staged, "train"));
            if (written != expectedSeqs) {
                throw new IllegalStateException("mix " + chunk + ": packed " + written + " sequences, expected " + expectedSeqs);
            }

            Map<String, Object> mixture = mixture(ordered, natural, probs, repeats);
            long docsIn = docs.count();
            long heldoutDocs = natural.values().stream().mapToLong(a -> a[3]).sum();
            long trainDocs = natural.values().stream().mapToLong(a -> a[0]).sum();
            if (heldoutDocs + trainDocs != docsIn) {
                throw new IllegalStateException("mix " + chunk + ": " + docsIn + " docs in, " + trainDocs + " train + " + heldoutDocs + " held out");
            }
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("docs_in", docsIn);
            counts.put("train_docs", trainDocs);
            counts.put("heldout_docs", heldoutDocs);
            counts.put("sampled_doc_copies", ordered.where(col("replay").equalTo(false)).count());
            counts.put("replay_docs", ordered.where(col("replay")).count());
            counts.put("replay_chunks", replayChunks);
            counts.put("replay_tokens_available", replayAvailable);
            counts.put("stream_tokens", streamTokens);
            counts.put("packed_tokens", written * length);
            counts.put("dropped_tail_tokens", dropped);
            counts.put("sequences", written);
            counts.put("seq_len", s.seqLen);
            counts.put("separator_id", separator);
            counts.put("tokenizer_version", version);
            mixture.put("counts", counts);
            fs.mkdirs(staged);
            HadoopFiles.writeString(fs, new Path(staged, "mixture.json"), JSON.writeValueAsString(mixture));
            docs.unpersist();
            ordered.unpersist();
            printSummary(run.console(), chunk, mixture, counts, (System.nanoTime() - t0) / 1e9);
            return new Computed(counts, new Lineage(null, version, s.seqLen), String.format(Locale.ROOT,
                    "%,d sequences of %d tokens, %,d held-out docs -> %s", written, length, heldoutDocs, layout.mix(chunk)));
        }
    }

    /** Chunks whose tokens are committed and whose dedup arrival number is below this chunk's. */
    static List<String> earlierChunks(FileSystem fs, DatasetLayout layout, String chunk) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (String other : new ChunkRegistry(fs, layout).before(chunk)) {
            if (Manifests.read(fs, layout.tokens(other)) != null) {
                out.add(other);
            }
        }
        out.sort(null);
        return out;
    }

    private static Map<String, Object> mixture(Dataset<Row> ordered, Map<String, long[]> natural, Map<String, Double> probs, Map<String, Double> repeats) {
        Map<String, long[]> sampled = new TreeMap<>(); // lang -> {copies, tokens, replay docs, replay tokens}
        for (Row r : ordered.groupBy("lang", "replay").agg(count("*"), sum("n_tokens")).collectAsList()) {
            long[] a = sampled.computeIfAbsent(r.getString(0), k -> new long[4]);
            int off = r.getBoolean(1) ? 2 : 0;
            a[off] += r.getLong(2);
            a[off + 1] += r.isNullAt(3) ? 0 : r.getLong(3);
        }
        long naturalTotal = natural.values().stream().mapToLong(a -> a[2]).sum();
        long sampledTotal = sampled.values().stream().mapToLong(a -> a[1] + a[3]).sum();
        Map<String, Object> langs = new TreeMap<>();
        java.util.Set<String> all = new java.util.TreeSet<>(natural.keySet());
        all.addAll(sampled.keySet());
        for (String l : all) {
            long[] n = natural.getOrDefault(l, new long[5]);
            long[] sm = sampled.getOrDefault(l, new long[4]);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("docs", n[0]);
            e.put("bytes", n[1]);
            e.put("tokens", n[2]);
            e.put("heldout_docs", n[3]);
            e.put("heldout_tokens", n[4]);
            e.put("natural_share", naturalTotal == 0 ? 0.0 : round6((double) n[2] / naturalTotal));
            e.put("probability", round6(probs.getOrDefault(l, 0.0)));
            e.put("repeats", round6(repeats.getOrDefault(l, 0.0)));
            e.put("sampled_docs", sm[0]);
            e.put("sampled_tokens", sm[1]);
            e.put("replay_docs", sm[2]);
            e.put("replay_tokens", sm[3]);
            e.put("sampled_share", sampledTotal == 0 ? 0.0 : round6((double) (sm[1] + sm[3]) / sampledTotal));
            langs.put(l, e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("languages", langs);
        return m;
    }

    private static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    @SuppressWarnings("unchecked")
    private static void printSummary(java.io.PrintStream console, String chunk, Map<String, Object> mixture, Map<String, Object> counts, double seconds) {
        console.println("lang      tokens  natural  sampled  repeats");
        for (Map.Entry<String, Object> e : ((Map<String, Object>) mixture.get("languages")).entrySet()) {
            Map<String, Object> l = (Map<String, Object>) e.getValue();
            console.printf(Locale.ROOT, "%-8s %8d %7.2f%% %7.2f%% %8.2f%n", e.getKey(), (Long) l.get("tokens"),
                    100 * (Double) l.get("natural_share"), 100 * (Double) l.get("sampled_share"), (Double) l.get("repeats"));
        }
        console.printf(Locale.ROOT, "mix %s: %,d sequences x %d tokens; %,d held-out docs; %,d tail tokens dropped; replay %,d docs; %.1f s%n",
                chunk, (Long) counts.get("sequences"), (Integer) counts.get("seq_len") + 1, (Long) counts.get("heldout_docs"),
                (Long) counts.get("dropped_tail_tokens"), (Long) counts.get("replay_docs"), seconds);
    }
}
