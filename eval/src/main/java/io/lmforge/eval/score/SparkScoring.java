package io.lmforge.eval.score;

import io.lmforge.training.score.TokenWindow;
import io.lmforge.training.score.RollingWindows;
import io.lmforge.training.score.LmScorer;
import io.lmforge.tokenize.bpe.BpeEncoder;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import io.lmforge.training.model.NativeThreads;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;

import static org.apache.spark.sql.functions.col;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The model scored on executors: model.zip bytes and tokenizer.json are broadcast once, each
 * partition restores its own copy (a ComputationGraph is not safe to share between task threads)
 * and scores its rows in batched forward passes.
 */
public final class SparkScoring implements Serializable {
    private final Broadcast<byte[]> model;
    private final Broadcast<String> tokenizerJson;
    private final int prefixToken;
    private final int batchSize;

    public SparkScoring(JavaSparkContext jsc, byte[] modelZip, String tokenizerJson, int prefixToken, int batchSize) {
        this.model = jsc.broadcast(modelZip);
        this.tokenizerJson = jsc.broadcast(tokenizerJson);
        this.prefixToken = prefixToken;
        this.batchSize = batchSize;
    }

    public void release() {
        model.destroy();
        tokenizerJson.destroy();
    }

    public static StructType docScoreSchema() {
        return new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType).add("n_bytes", DataTypes.LongType)
                .add("n_tokens", DataTypes.LongType).add("nll", DataTypes.DoubleType);
    }

    /**
     * Negative log-likelihood (nats) of each held-out document, every token scored once with the
     * windows of {@link RollingWindows}. Input columns: doc_id, lang, n_bytes (int or long), tokens.
     */
    public Dataset<Row> documentNll(SparkSession spark, Dataset<Row> docs, int partitions) {
        JavaRDD<Row> scored = docs.select(col("doc_id"), col("lang"), col("n_bytes").cast("long"), col("tokens")).repartition(partitions).javaRDD().mapPartitions(it -> {
            NativeThreads.capForSparkTask();
            LmScorer scorer = LmScorer.fromBytes(model.value(), batchSize);
            List<Row> out = new ArrayList<>();
            List<Row> group = new ArrayList<>();
            while (it.hasNext()) {
                group.add(it.next());
                if (group.size() == 64 || !it.hasNext()) {
                    out.addAll(scoreDocs(scorer, group));
                    group.clear();
                }
            }
            return out.iterator();
        });
        return spark.createDataFrame(scored, docScoreSchema());
    }

    private List<Row> scoreDocs(LmScorer scorer, List<Row> docs) {
        List<TokenWindow> windows = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            List<Integer> t = docs.get(d).getList(3);
            int[] tokens = t.stream().mapToInt(Integer::intValue).toArray();
            for (TokenWindow w : RollingWindows.of(tokens, prefixToken, scorer.contextLength())) {
                windows.add(w);
                owners.add(d);
            }
        }
        double[] ll = scorer.logLikelihoods(windows);
        double[] perDoc = new double[docs.size()];
        for (int i = 0; i < ll.length; i++) {
            perDoc[owners.get(i)] -= ll[i];
        }
        List<Row> out = new ArrayList<>(docs.size());
        for (int d = 0; d < docs.size(); d++) {
            Row r = docs.get(d);
            out.add(RowFactory.create(r.getString(0), r.getString(1), r.getLong(2), (long) r.getList(3).size(), perDoc[d]));
        }
        return out;
    }

    /**
     * By request id: {log-likelihood, tokens scored, tokens of the continuation}. A continuation longer
     * than the model's context is not scored (log-likelihood NaN, 0 tokens scored): the caller decides
     * what an item with such a candidate is (eval.overlong).
     */
    public Map<Long, double[]> logLikelihoods(JavaSparkContext jsc, List<ScoreRequest> requests, int partitions) {
        List<double[]> rows = jsc.parallelize(requests, partitions).mapPartitions((Iterator<ScoreRequest> it) -> {
            NativeThreads.capForSparkTask();
            LmScorer scorer = LmScorer.fromBytes(model.value(), batchSize);
            BpeEncoder enc = HfTokenizerJson.read(tokenizerJson.value()).newEncoder();
            List<double[]> out = new ArrayList<>();
            List<TokenWindow> windows = new ArrayList<>();
            List<double[]> scoredRows = new ArrayList<>();
            while (it.hasNext()) {
                ScoreRequest r = it.next();
                ContinuationWindow.Pair pair = ContinuationWindow.encode(enc::encode, r.context(), r.continuation(), prefixToken);
                int n = pair.continuation().length;
                if (!ContinuationWindow.fits(pair, scorer.contextLength())) {
                    out.add(new double[]{r.id(), Double.NaN, 0, n});
                    continue;
                }
                windows.add(ContinuationWindow.window(pair, scorer.contextLength()));
                scoredRows.add(new double[]{r.id(), 0, n, n});
            }
            double[] ll = scorer.logLikelihoods(windows);
            for (int i = 0; i < ll.length; i++) {
                scoredRows.get(i)[1] = ll[i];
            }
            out.addAll(scoredRows);
            return out.iterator();
        }).collect();
        Map<Long, double[]> byId = new HashMap<>();
        for (double[] r : rows) {
            byId.put((long) r[0], new double[]{r[1], r[2], r[3]});
        }
        return byId;
    }
}
