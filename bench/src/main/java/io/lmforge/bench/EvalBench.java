package io.lmforge.bench;

import io.lmforge.training.score.TokenWindow;
import io.lmforge.training.score.RollingWindows;
import io.lmforge.training.score.LmScorer;
import io.lmforge.eval.score.ContinuationWindow;
import io.lmforge.eval.score.ScoreRequest;
import io.lmforge.eval.score.SparkScoring;
import io.lmforge.eval.task.FewShotEvaluation;
import io.lmforge.eval.task.LoadedTask;
import io.lmforge.tokenize.bpe.BpeEncoder;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.WarmupCosineSchedule;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * `bin/bench eval`: scoring throughput of the eval stage for the bench model of `bin/bench train`
 * (d 128, 2 layers, 4 heads, T 128, vocab 8192): (1) bits-per-byte tokens/s, batched forward passes
 * vs one window per pass (the baseline), and the forward FLOP/s against the ND4J matmul peak
 * measured in the same run; (2) few-shot examples/s on the shipped XCOPA / XStoryCloze / XWinograd
 * prompts (0- and 4-shot, byte tokens), one thread vs Spark local[2]; (3) bits-per-byte through
 * Spark local[2] vs one thread.
 */
public final class EvalBench {
    private static final int T = 128;
    private static final int V = 8192;
    private static final int D = 128;
    private static final int L = 2;

    private EvalBench() {
    }

    public static void main(String[] args) throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench-eval").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        double peak = TrainBench.matmulPeak();
        ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(V, T, D, 4, L),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(3e-4, 10, 0, 0.1), 0.9, 0.95, 1e-8, 0.0, 1.0), 1);
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, zip, false);
        byte[] modelZip = zip.toByteArray();

        // (1) bits per byte: full windows, batched vs one per forward pass
        Random r = new Random(3);
        List<TokenWindow> windows = new ArrayList<>();
        for (int d = 0; d < 40; d++) {
            int[] doc = new int[600];
            for (int i = 0; i < doc.length; i++) {
                doc[i] = 2 + r.nextInt(V - 2);
            }
            windows.addAll(RollingWindows.of(doc, 0, T));
        }
        long tokens = windows.stream().mapToLong(w -> w.targets().length).sum();
        LmScorer batched = new LmScorer(net, 16);
        LmScorer single = new LmScorer(net, 1);
        batched.logLikelihoods(windows.subList(0, 16));
        double sb = time(() -> batched.logLikelihoods(windows));
        double s1 = time(() -> single.logLikelihoods(windows));
        double flopsPerToken = 2.0 * (12.0 * L * D * D + (double) V * D) + 4.0 * L * T * D;
        double passes = windows.size() * (double) T; // every window is a full T-token forward pass
        System.out.printf(Locale.ROOT, "bpb scoring, one scorer (ND4J threads over all cores): batch 16 %,.0f tokens/s vs batch 1 (baseline) %,.0f tokens/s: ratio %.2f%n",
                tokens / sb, tokens / s1, s1 / sb);
        System.out.printf(Locale.ROOT, "forward FLOP/s (batch 16): %.1f GFLOP/s = %.1f %% of the %.1f GFLOP/s matmul peak%n",
                flopsPerToken * passes / sb / 1e9, 100 * flopsPerToken * passes / sb / peak, peak / 1e9);

        // (2) few-shot examples/s on the shipped tasks
        BpeTokenizer bytes = byteTokenizer();
        BpeEncoder enc = bytes.newEncoder();
        List<LoadedTask> tasks = new ArrayList<>();
        for (String t : List.of("xcopa", "xstorycloze", "xwinograd")) {
            tasks.add(LoadedTask.load("conf/tasks", t, List.of("et", "zh", "es", "ru", "en")));
        }
        FewShotEvaluation fs = new FewShotEvaluation(tasks, new FewShotEvaluation.Settings(List.of(0, 4), List.of(0), 40, "", ""));
        List<ScoreRequest> requests = fs.requests();
        List<TokenWindow> reqWindows = new ArrayList<>();
        for (ScoreRequest q : requests) {
            reqWindows.add(ContinuationWindow.window(ContinuationWindow.encode(enc::encode, q.context(), q.continuation(), 0), T));
        }
        double sf = time(() -> batched.logLikelihoods(reqWindows));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkScoring scoring = new SparkScoring(jsc, modelZip, HfTokenizerJson.write(bytes), 0, 16);
        scoring.logLikelihoods(jsc, requests.subList(0, 64), 2);
        double sp = time(() -> scoring.logLikelihoods(jsc, requests, 2));
        System.out.printf(Locale.ROOT, "few-shot (%d examples, %d requests, k 0 and 4): one scorer (ND4J threads over all cores) %.1f examples/s; Spark local[2] %.1f examples/s: ratio %.2f%n",
                fs.examples().size(), requests.size(), fs.examples().size() / sf, fs.examples().size() / sp, sf / sp);

        // (3) bits per byte through Spark local[2]
        List<Row> docs = new ArrayList<>();
        for (int d = 0; d < 40; d++) {
            List<Integer> t = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                t.add(2 + r.nextInt(V - 2));
            }
            docs.add(RowFactory.create("d" + d, "xx", 1800, t));
        }
        var df = spark.createDataFrame(docs, new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
                .add("n_bytes", DataTypes.IntegerType).add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false))).cache();
        df.count();
        double sd = time(() -> scoring.documentNll(spark, df, 2).count());
        System.out.printf(Locale.ROOT, "bpb scoring, Spark local[2]: %,.0f tokens/s vs one scorer %,.0f tokens/s: ratio %.2f%n",
                tokens / sd, tokens / sb, sb / sd);
        scoring.release();
        spark.stop();
    }

    private static BpeTokenizer byteTokenizer() {
        return BpeTokenizer.bytesOnly("<|endoftext|>", "<|pad|>");
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double time(Work w) throws Exception {
        long s = System.nanoTime();
        w.run();
        return (System.nanoTime() - s) / 1e9;
    }
}
