package io.lmforge.bench;

import io.lmforge.core.cli.PipelineMain;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.optim.InnerStep;
import io.lmforge.training.optim.OptimizerSpec;
import io.lmforge.training.rounds.AveragingRounds;
import io.lmforge.training.rounds.OuterOptimizer;
import io.lmforge.training.rounds.RoundData;
import io.lmforge.training.rounds.RoundState;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * `bin/bench train scaling [--budget TOKENS] [--root DIR]`: does adding workers buy time-to-quality?
 * The bench model (d 128, 2 layers, 4 heads, T 128, the sample's 8,192-token BPE) trains on the sample's
 * packed mix sequences (all three chunks, the same order for every configuration) with 1 worker (the
 * same-run baseline, up to the budget B) and with 2 and 4 workers (Spark local[N]: tokens-to-loss does
 * not depend on how many cores exist) for each averaging setting, up to 1.5 B. Held-out loss (fixed
 * held-out sequences) after every round. Prints, per configuration, the tokens needed to reach the loss
 * 1 worker has at B, as a ratio to B, and tokens/s; writes the curves as PNG.
 */
public final class ScalingBench {
    private ScalingBench() {
    }

    /**
     * {@code splitBatch}: the global batch stays at one worker's (each of K workers takes batch / K sequences
     * a step: strong scaling, as a data-parallel PyTorch job keeps its global batch when it adds GPUs);
     * otherwise each worker takes the full batch and a round of K workers consumes K times the tokens.
     */
    /** {@code lrScaling}: train.averaging.inner-lr-scaling (the stage's own rule); {@code lrScale}: a further factor, for sweeps. */
    record Config(String name, int workers, int steps, OuterOptimizer outer, AveragingRounds.InnerState inner, boolean splitBatch, String lrScaling,
                  double lrScale) {
        Config(String name, int workers, int steps, OuterOptimizer outer, AveragingRounds.InnerState inner) {
            this(name, workers, steps, outer, inner, false, "none", 1.0);
        }

        Config(String name, int workers, int steps, OuterOptimizer outer, AveragingRounds.InnerState inner, boolean splitBatch) {
            this(name, workers, steps, outer, inner, splitBatch, "none", 1.0);
        }

        int workerBatch(int batch) {
            return splitBatch ? Math.max(1, batch / workers) : batch;
        }
    }

    record Curve(List<double[]> points, double tokensPerS) { // {tokens, held-out loss, round}
    }

    public static void main(String[] args) throws Exception {
        long budget = 500_000;
        String root = "target/bench-scaling";
        int batch = 16;
        double lr = 2e-3; // 1 worker at 2e-3 reaches the 1e-3 run's loss at B after 0.85 B: the better-tuned baseline (docs/training.md)
        long warmupTokens = 50L * 16 * 128;
        boolean sqrtLr = false;
        String only = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--budget" -> budget = Long.parseLong(args[++i]);
                case "--root" -> root = args[++i];
                case "--lr" -> lr = Double.parseDouble(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--warmup-tokens" -> warmupTokens = Long.parseLong(args[++i]);
                case "--lr-scaling" -> sqrtLr = "sqrt".equals(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("usage: bin/bench train scaling [--budget TOKENS] [--root DIR] [--lr LR] [--batch B]"
                        + " [--warmup-tokens N] [--lr-scaling none|sqrt] [--only NAME-SUBSTRING[|NAME-SUBSTRING...]]");
            }
        }
        List<String> filters = List.of(only.split("\\|")); // NAME-SUBSTRING|NAME-SUBSTRING...: any of them
        List<Config> configs = configs(batch).stream().filter(c -> filters.stream().anyMatch(f -> c.name().contains(f))).toList();
        Path rootPath = Path.of(root).toAbsolutePath();
        prepareData(rootPath);
        SparkSession spark = SparkSession.builder().master("local[4]").appName("bench-train-scaling").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4").config("spark.sql.sources.partitionColumnTypeInference.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        DatasetLayout layout = new DatasetLayout(rootPath.toString());
        Dataset<Row> train = null;
        for (String c : List.of("0001", "0002", "0003")) {
            Dataset<Row> d = spark.read().parquet(layout.mixTrain(c).toString()).withColumn("src", org.apache.spark.sql.functions.lit(c));
            train = train == null ? d : train.unionByName(d);
        }
        train = train.orderBy(org.apache.spark.sql.functions.xxhash64(col("src"), col("seq_id")), col("src"), col("seq_id")).cache();
        long available = train.count() * 128;
        MultiDataSet heldout = heldout(spark, layout, 64);
        System.out.printf(Locale.ROOT, "data: %,d training tokens (sample mix, 3 chunks, shuffled once, same order for all); held-out: 64 x 128 tokens%n",
                available);
        System.out.printf(Locale.ROOT, "optimizer: AdamW, lr %.1e%s, warm-up over %,d tokens (in steps: fewer with more workers, whose"
                + " steps take more tokens each), then constant%n", lr, sqrtLr ? " x sqrt(workers)" : "", warmupTokens);
        Map<String, Curve> curves = new LinkedHashMap<>();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Config base = new Config("1 worker", 1, 20, OuterOptimizer.none(), AveragingRounds.InnerState.AVERAGED);
        curves.put(base.name(), run(sc, train, heldout, base, optimizer(lr, warmupTokens, sqrtLr, 1, batch), batch, budget));
        double target = lossAt(curves.get(base.name()), budget);
        System.out.printf(Locale.ROOT, "%nbaseline: 1 worker reaches held-out loss %.4f at B = %,d tokens%n", target, budget);
        for (Config c : configs) {
            int perWorker = c.workerBatch(batch);
            OptimizerSpec opt = optimizer(lr * c.lrScale(), warmupTokens, sqrtLr && !c.splitBatch(), c.workers(), perWorker)
                    .forWorkers(c.lrScaling(), c.workers());
            curves.put(c.name(), run(sc, train, heldout, c, opt, perWorker,
                    budget * 3 / 2));
        }
        report(curves, budget, target);
        Path png = rootPath.resolve("train_scaling.png");
        Map<String, double[][]> series = new LinkedHashMap<>();
        curves.forEach((k, v) -> series.put(k, new double[][]{v.points().stream().mapToDouble(p -> p[0]).toArray(),
                v.points().stream().mapToDouble(p -> p[1]).toArray()}));
        io.lmforge.eval.report.Charts.lines(png, "Held-out loss vs tokens seen (bench model, sample mix)", "tokens seen", "held-out loss (nats/token)", series);
        System.out.println("curves: " + png);
        spark.stop();
    }

    /**
     * The same warm-up in tokens for every configuration: the schedule counts one worker's steps, and a
     * step of K workers takes K times the tokens, so a warm-up fixed in steps would lag K-fold in tokens.
     * With sqrt scaling the peak learning rate grows with the tokens a step takes (Adam's batch-size rule).
     */
    static OptimizerSpec optimizer(double lr, long warmupTokens, boolean sqrtLr, int workers, int batch) {
        int warmupSteps = (int) Math.max(1, Math.round((double) warmupTokens / ((long) workers * batch * 128)));
        double peak = sqrtLr ? lr * Math.sqrt(workers) : lr;
        return new OptimizerSpec(OptimizerSpec.Kind.ADAMW, peak, warmupSteps, OptimizerSpec.Schedule.CONSTANT, 0, 1.0, 0.9, 0.95, 1e-8, 0.1, 1.0, 0, 2, false);
    }

    static List<Config> configs(int batch) {
        List<Config> out = new ArrayList<>();
        OuterOptimizer nesterov = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9);
        for (int w : new int[]{2, 4}) {
            for (int h : new int[]{20, 50}) {
                out.add(new Config(w + " workers, every " + h + ", average", w, h, OuterOptimizer.none(), AveragingRounds.InnerState.AVERAGED));
                out.add(new Config(w + " workers, every " + h + ", nesterov, per-worker Adam", w, h, nesterov, AveragingRounds.InnerState.PER_WORKER));
            }
        }
        // strong scaling: the global batch of one worker split across the workers
        for (int w : new int[]{2, 4}) {
            out.add(new Config(w + " workers x " + (batch / w) + " seqs (global batch " + batch + "), every 20, average", w, 20, OuterOptimizer.none(),
                    AveragingRounds.InnerState.AVERAGED, true));
            out.add(new Config(w + " workers x " + (batch / w) + " seqs (global batch " + batch + "), every 20, nesterov, per-worker Adam", w, 20, nesterov,
                    AveragingRounds.InnerState.PER_WORKER, true));
        }
        // averaging shrinks the workers' noisy small-batch moves; an outer SGD step > 1 (no momentum) extrapolates them back
        for (double outerLr : new double[]{1.5, 2.0}) {
            out.add(new Config("4 workers x " + (batch / 4) + " seqs (global batch " + batch + "), every 20, outer sgd lr " + outerLr + ", averaged Adam", 4, 20,
                    new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, outerLr, 0.0), AveragingRounds.InnerState.AVERAGED, true));
        }
        // the inner learning rate of 4 workers on quarter batches: lower (less drift between averagings) or higher (each
        // worker's Adam normalises by a second moment inflated by its smaller batch's noise)
        for (double scale : new double[]{0.5, 3.0}) {
            out.add(new Config("4 workers x " + (batch / 4) + " seqs (global batch " + batch + "), every 20, average, inner lr x" + scale, 4, 20,
                    OuterOptimizer.none(), AveragingRounds.InnerState.AVERAGED, true, "none", scale));
        }
        // train.averaging.inner-lr-scaling = sqrt-workers (x2 for 4 workers, x1.41 for 2)
        for (int w : new int[]{2, 4}) {
            out.add(new Config(w + " workers x " + (batch / w) + " seqs (global batch " + batch + "), every 20, average, sqrt-workers inner lr", w, 20,
                    OuterOptimizer.none(), AveragingRounds.InnerState.AVERAGED, true, "sqrt-workers", 1.0));
        }
        // is it the learning rate alone? 1 worker at twice the rate (not the baseline: the baseline's rate is the bench's --lr)
        out.add(new Config("1 worker, lr x2.0 (reference)", 1, 20, OuterOptimizer.none(), AveragingRounds.InnerState.AVERAGED, false, "none", 2.0));
        // what to do with the inner Adam state under the outer step (train.averaging.inner-state), measured at one setting
        out.add(new Config("2 workers, every 20, nesterov, averaged Adam", 2, 20, nesterov, AveragingRounds.InnerState.AVERAGED));
        out.add(new Config("2 workers, every 20, nesterov, reset Adam", 2, 20, nesterov, AveragingRounds.InnerState.RESET));
        return out;
    }

    /** The sample's mix (3 chunks) through the real stages, once (kept under the root for later runs). */
    static void prepareData(Path root) {
        if (Files.exists(root.resolve("mix/chunk=0003/_COMMITTED.json"))) {
            return;
        }
        int rc = PipelineMain.run(new String[]{"demo", "--root", root.toString(), "--set", "demo.stages=[ingest,dedup,tokenizer-train,tokenize,mix]",
                "--set", "demo.finally=[]", "--set", "pipeline.progress-interval-s=30"}, System.out, System.err, false);
        if (rc != 0) {
            throw new IllegalStateException("preparing the sample mix failed with status " + rc);
        }
    }

    /** The first {@code n} held-out documents of chunk 0001, packed into n sequences of 129 tokens (a fixed set). */
    static MultiDataSet heldout(SparkSession spark, DatasetLayout layout, int n) {
        List<int[]> seqs = new ArrayList<>();
        int[] cur = new int[129];
        int fill = 0;
        // held-out docs live inside the mix chunk, which carries the commit marker
        Datasets.requireCommitted(spark, layout.chunkDir("mix", "0001"), "mix chunk 0001");
        for (Row r : spark.read().parquet(layout.mixHeldout("0001").toString()).orderBy("doc_id").select("tokens").collectAsList()) {
            List<Integer> toks = r.getList(0);
            for (int i = 0; i <= toks.size() && seqs.size() < n; i++) {
                cur[fill++] = i < toks.size() ? toks.get(i) : 0; // 0 = <|endoftext|> after each document
                if (fill == cur.length) {
                    seqs.add(cur);
                    cur = new int[129];
                    fill = 0;
                }
            }
        }
        return SequenceBatches.toBatch(seqs);
    }

    static Curve run(JavaSparkContext sc, Dataset<Row> train, MultiDataSet heldout, Config c, OptimizerSpec opt, int batch, long tokens) {
        long sequences = tokens / 128;
        Dataset<Row> take = train.limit((int) sequences);
        ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(8192, 128, 128, 4, 2), opt, 1);
        InnerStep step = opt.newStep();
        RoundState state = RoundState.fresh(step.state(net), (int) net.numParams());
        RoundData data = RoundData.of(take, c.workers(), batch, c.steps());
        List<double[]> points = new ArrayList<>();
        points.add(new double[]{0, net.score(heldout), -1});
        long[] seen = {0};
        long start = System.nanoTime();
        double[] trainSeconds = {0};
        new AveragingRounds(sc, new AveragingRounds.Settings(c.workers(), batch, c.steps(), c.outer(), c.inner()), opt)
                .train(net, step, state, data, Integer.MAX_VALUE, r -> {
                    seen[0] += r.tokens();
                    trainSeconds[0] += r.seconds();
                    double h = net.score(heldout);
                    points.add(new double[]{seen[0], h, r.round()});
                    System.out.printf(Locale.ROOT, "  [%s] round %d | %,d tokens | train %.4f | held-out %.4f | %,.0f tokens/s%n", c.name(), r.round() + 1,
                            seen[0], r.loss(), h, seen[0] / trainSeconds[0]);
                });
        data.release();
        System.out.printf(Locale.ROOT, "%s: %,d tokens in %.0f s%n", c.name(), seen[0], (System.nanoTime() - start) / 1e9);
        return new Curve(points, seen[0] / trainSeconds[0]);
    }

    /** Held-out loss at {@code tokens}, interpolated between the evaluations around it. */
    static double lossAt(Curve c, long tokens) {
        double[] prev = c.points().get(0);
        for (double[] p : c.points()) {
            if (p[0] >= tokens) {
                return p[0] == prev[0] ? p[1] : prev[1] + (p[1] - prev[1]) * (tokens - prev[0]) / (p[0] - prev[0]);
            }
            prev = p;
        }
        return prev[1];
    }

    /** Tokens at which the curve first reaches {@code loss} (interpolated), or -1 if it never does. */
    static double tokensTo(Curve c, double loss) {
        double[] prev = null;
        for (double[] p : c.points()) {
            if (p[1] <= loss) {
                return prev == null ? p[0] : prev[0] + (p[0] - prev[0]) * (prev[1] - loss) / (prev[1] - p[1]);
            }
            prev = p;
        }
        return -1;
    }

    static void report(Map<String, Curve> curves, long budget, double target) {
        System.out.printf(Locale.ROOT, "%n| configuration | tokens to reach %.4f (1 worker at B = %,d) | / B | held-out loss at B | at the end (tokens) | tokens/s |%n",
                target, budget);
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, Curve> e : curves.entrySet()) {
            double t = tokensTo(e.getValue(), target);
            double[] end = e.getValue().points().get(e.getValue().points().size() - 1);
            double last = end[0];
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.4f | %s | %,.0f |%n", e.getKey(), t < 0 ? "not reached" : String.format(Locale.ROOT, "%,.0f", t),
                    t < 0 ? "> " + String.format(Locale.ROOT, "%.2f", last / budget) : String.format(Locale.ROOT, "%.2f", t / budget),
                    lossAt(e.getValue(), budget), String.format(Locale.ROOT, "%.4f (%,.0f)", end[1], last),
                    e.getValue().tokensPerS());
        }
    }
}
