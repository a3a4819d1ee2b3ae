package io.lmforge.tokenize.train;

import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.encode.BpeModel;
import io.lmforge.tokenize.mix.TemperatureSampling;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;

/**
 * Byte-level BPE training as a Spark ML Estimator. On Spark, in one pass over the text: each
 * language's pre-token (word) counts, documents and bytes ({@link LanguageWordCounts}); from the
 * bytes, the language-balanced weight of each language (XGLM temperature rule, the mix stage's) and
 * the weighted word table. On the driver: the byte-pair counts over it and merges with
 * incremental updates ({@link MergeLearner}). Balancing weights words instead of resampling
 * documents, so every document is used and the result does not depend on a sampling seed.
 */
public final class BpeTrainer extends Estimator<BpeModel> {
    /** Word weights are fixed-point with this many units per occurrence (weights can be fractional). */
    static final double WEIGHT_SCALE = LanguageWordCounts.UNITS;

    private final String uid;
    private final Param<String> textCol;
    private final Param<String> langCol;
    private final IntParam vocabSize;
    private final StringArrayParam specialTokens;
    private final DoubleParam alpha;
    private final DoubleParam maxUpsample;
    private final IntParam maxWords;
    private final LongParam minPairCount;
    private transient IntConsumer progress;
    private transient Stats lastStats;

    /**
     * What the last fit did, for the manifest and the console. Per language: documents, UTF-8 bytes of
     * their text, and the tokens the learned tokenizer encodes that text into (what balancing bought each).
     */
    public record Stats(Map<String, Long> docsByLang, Map<String, Long> bytesByLang, Map<String, Long> tokensByLang,
                        Map<String, Double> weightByLang, long distinctWords, long wordsKept,
                        int bytePairs, int merges, double sparkSeconds, double mergeSeconds) {
    }

    public BpeTrainer() {
        this(Identifiable$.MODULE$.randomUID("bpeTrainer"));
    }

    public BpeTrainer(String uid) {
        this.uid = uid;
        textCol = new Param<>(this, "textCol", "text column");
        langCol = new Param<>(this, "langCol", "language column");
        vocabSize = new IntParam(this, "vocabSize", "vocabulary size including the 256 bytes and the special tokens");
        specialTokens = new StringArrayParam(this, "specialTokens", "added tokens, ids 0..k-1");
        alpha = new DoubleParam(this, "alpha", "language balance exponent (1 = natural, 0 = uniform)");
        maxUpsample = new DoubleParam(this, "maxUpsample", "cap on a language's weight");
        maxWords = new IntParam(this, "maxWords", "keep the most frequent words for the merge phase");
        minPairCount = new LongParam(this, "minPairCount", "stop when the best pair is rarer (weighted occurrences)");
        setDefault(textCol, "text");
        setDefault(langCol, "lang");
        setDefault(vocabSize, 8192);
        setDefault(specialTokens, new String[]{"<|endoftext|>", "<|pad|>"});
        setDefault(alpha, 0.3);
        setDefault(maxUpsample, 10.0);
        setDefault(maxWords, 1_000_000);
        setDefault(minPairCount, 2L);
    }

    public Param<String> textCol() { return textCol; }
    public Param<String> langCol() { return langCol; }
    public IntParam vocabSize() { return vocabSize; }
    public StringArrayParam specialTokens() { return specialTokens; }
    public DoubleParam alpha() { return alpha; }
    public DoubleParam maxUpsample() { return maxUpsample; }
    public IntParam maxWords() { return maxWords; }
    public LongParam minPairCount() { return minPairCount; }

    public BpeTrainer setVocabSize(int v) {
        set(vocabSize, v);
        return this;
    }

    public BpeTrainer setSpecialTokens(List<String> v) {
        set(specialTokens, v.toArray(new String[0]));
        return this;
    }

    public BpeTrainer setAlpha(double v) {
        set(alpha, v);
        return this;
    }

    public BpeTrainer setMaxUpsample(double v) {
        set(maxUpsample, v);
        return this;
    }

    public BpeTrainer setMaxWords(int v) {
        set(maxWords, v);
        return this;
    }

    public BpeTrainer setMinPairCount(long v) {
        set(minPairCount, v);
        return this;
    }

    /** Called with the number of merges learned so far (driver side). */
    public BpeTrainer setProgress(IntConsumer p) {
        this.progress = p;
        return this;
    }

    public Stats lastStats() {
        return lastStats;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public BpeModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        int specials = getOrDefault(specialTokens).length;
        if (((Integer) getOrDefault(vocabSize)) < specials + 256) {
            throw new IllegalArgumentException("vocabSize " + ((Integer) getOrDefault(vocabSize)) + " is smaller than the 256 bytes + "
                    + specials + " special tokens");
        }
        long t0 = System.nanoTime();
        Dataset<Row> docs = dataset.select(col(getOrDefault(langCol)).as("lang"), col(getOrDefault(textCol)).as("text"));
        // the only pass over the text: (lang, word) occurrences plus each language's docs and bytes
        Dataset<Row> counted = LanguageWordCounts.count(docs);
        counted.persist();
        try {
            LanguageWordCounts.Totals totals = LanguageWordCounts.totals(counted);
            if (totals.bytesByLang().values().stream().mapToLong(Long::longValue).sum() == 0) {
                throw new IllegalArgumentException("BpeTrainer: no text to train on");
            }
            Map<String, Double> weights = TemperatureSampling.repeats(totals.bytesByLang(), ((Double) getOrDefault(alpha)),
                    ((Double) getOrDefault(maxUpsample)));
            Dataset<Row> allWords = LanguageWordCounts.weighted(counted, weights);
            int limit = (Integer) getOrDefault(maxWords);
            List<byte[]> wordBytes = new ArrayList<>();
            List<Long> counts = new ArrayList<>();
            for (Iterator<Row> it = allWords.orderBy(desc("count"), col("word")).limit(limit).toLocalIterator(); it.hasNext(); ) {
                Row r = it.next();
                wordBytes.add(r.getString(0).getBytes(StandardCharsets.UTF_8));
                counts.add(r.getLong(1));
            }
            // fewer than the limit: that is every word, and a query to count them would be a Spark job for nothing
            long distinct = wordBytes.size() < limit ? wordBytes.size() : allWords.count();
            double sparkSeconds = (System.nanoTime() - t0) / 1e9;

            long t1 = System.nanoTime();
            MergeLearner learner = new MergeLearner(Arrays.asList(getOrDefault(specialTokens)), wordBytes,
                    counts.stream().mapToLong(Long::longValue).toArray());
            BpeTokenizer tok = learner.learn(((Integer) getOrDefault(vocabSize)), ((Long) getOrDefault(minPairCount)) * (long) WEIGHT_SCALE, progress);
            double mergeSeconds = (System.nanoTime() - t1) / 1e9;
            lastStats = new Stats(totals.docsByLang(), totals.bytesByLang(), LanguageWordCounts.tokensByLang(counted, tok),
                    new LinkedHashMap<>(weights), distinct, wordBytes.size(), learner.initialPairs(), tok.mergeCount(), sparkSeconds, mergeSeconds);
            BpeModel model = new BpeModel(tok);
            model.setParent(this);
            return model;
        } finally {
            counted.unpersist();
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        for (String c : List.of(getOrDefault(textCol), getOrDefault(langCol))) {
            if (!Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("BpeTrainer: input has no column '" + c + "'");
            }
        }
        return schema;
    }

    @Override
    public BpeTrainer copy(ParamMap extra) {
        return (BpeTrainer) defaultCopy(extra);
    }
}
