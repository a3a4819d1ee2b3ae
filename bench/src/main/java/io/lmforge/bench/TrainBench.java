package io.lmforge.bench;

import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.WarmupCosineSchedule;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * `bin/bench train`: (1) the Parquet -> MultiDataSet loader alone, tokens/s; (2) single-JVM training
 * step throughput of the GPT-2 model (d 128, 2 layers, 4 heads, T 128, vocab 8192, batch 16) and its
 * FLOP/s against an ND4J matmul peak measured in the same run; (3) the same step in PyTorch when its
 * environment exists. Modes: `bin/bench train scaling` (ScalingBench), `optimizers` (OptimizerBench), `parity` (ParityBench), `families` (FamiliesBench), `pbt` (PbtBench).
 */
public final class TrainBench {
    private TrainBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && List.of("scaling", "optimizers", "parity", "families", "pbt").contains(args[0])) { // bin/bench train MODE ...
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            switch (args[0]) {
                case "scaling" -> ScalingBench.main(rest);
                case "optimizers" -> OptimizerBench.main(rest);
                case "families" -> FamiliesBench.main(rest);
                case "pbt" -> PbtBench.main(rest);
                default -> ParityBench.main(rest);
            }
            return;
        }
        if (args.length > 0 && args[0].equals(STEP_ONLY)) {
            System.out.printf(Locale.ROOT, "%s %.1f%n", STEP_ONLY, 1000.0 * BATCH * SEQ_LEN / step(matmulPeak()));
            return;
        }
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench-train").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        loader(spark);
        double peak = matmulPeak();
        double ours = step(peak);
        defaultWaitPolicy(ours);
        pytorch(ours);
        spark.stop();
    }

    static void loader(SparkSession spark) throws Exception {
        int t = 128;
        int n = 40_000;
        Random r = new Random(1);
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Integer> tok = new ArrayList<>(t + 1);
            for (int k = 0; k <= t; k++) {
                tok.add(r.nextInt(8192));
            }
            rows.add(RowFactory.create((long) i, tok));
        }
        Path dir = Files.createTempDirectory("bench-train").resolve("seqs");
        spark.createDataFrame(rows, new StructType().add("seq_id", DataTypes.LongType).add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false)))
                .coalesce(1).write().parquet(dir.toString());
        Dataset<Row> seqs = spark.read().parquet(dir.toString());
        double beans = 0;
        for (String path : new String[]{"bean decoder (baseline)", "Arrow record batches (what train uses)"}) {
            boolean arrow = path.startsWith("Arrow");
            (arrow ? SequenceBatches.of(seqs, 16) : SequenceBatches.ofBeans(seqs, 16)).count(); // warm-up
            double best = Double.MAX_VALUE;
            long batches = 0;
            for (int rep = 0; rep < 3; rep++) {
                long s = System.nanoTime();
                batches = (arrow ? SequenceBatches.of(seqs, 16) : SequenceBatches.ofBeans(seqs, 16)).count();
                best = Math.min(best, (System.nanoTime() - s) / 1e9);
            }
            System.out.printf(Locale.ROOT, "loader, Parquet -> %s -> MultiDataSet: %,d sequences x %d tokens in %,d batches: %.2f s, %,.0f tokens/s (1 partition = 1 core, best of 3)%s%n",
                    path, n, t, batches, best, (double) n * t / best, arrow ? String.format(Locale.ROOT, "; Arrow / beans = %.2f", beans / best) : "");
            beans = best;
        }
    }

    static double matmulPeak() {
        int m = 1024;
        INDArray a = Nd4j.rand(DataType.FLOAT, m, m);
        INDArray b = Nd4j.rand(DataType.FLOAT, m, m);
        a.mmul(b);
        long s = System.nanoTime();
        int reps = 20;
        for (int i = 0; i < reps; i++) {
            a.mmul(b);
        }
        double sec = (System.nanoTime() - s) / 1e9;
        double flops = 2.0 * m * m * m * reps / sec;
        System.out.printf(Locale.ROOT, "ND4J matmul peak (%dx%d fp32, %s threads): %.1f GFLOP/s; the OpenBLAS it links, called directly: %.1f GFLOP/s%n", m, m,
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), flops / 1e9, directSgemm(a, b) / 1e9);
        return flops;
    }

    /** cblas_sgemm on the same arrays without ND4J's matmul op around it: what the BLAS itself gives. */
    private static double directSgemm(INDArray a, INDArray b) {
        int m = (int) a.rows();
        INDArray c = Nd4j.create(DataType.FLOAT, m, m);
        FloatPointer pa = (FloatPointer) a.data().addressPointer();
        FloatPointer pb = (FloatPointer) b.data().addressPointer();
        FloatPointer pc = (FloatPointer) c.data().addressPointer();
        int reps = 20;
        long s = 0;
        for (int i = -3; i < reps; i++) {
            if (i == 0) {
                s = System.nanoTime();
            }
            openblas.cblas_sgemm(openblas.CblasRowMajor,
                    openblas.CblasNoTrans, openblas.CblasNoTrans,
                    m, m, m, 1f, pa, m, pb, m, 0f, pc, m);
        }
        return 2.0 * m * m * m * reps / ((System.nanoTime() - s) / 1e9);
    }

    private static final String STEP_ONLY = "--step-only";
    private static final int BATCH = 16;
    private static final int SEQ_LEN = 128;

    /**
     * The same step in a child JVM whose environment lacks OMP_WAIT_POLICY (OpenMP's default: threads
     * spin a while between ops): the baseline for the launchers' PASSIVE setting. OpenMP reads the
     * variable when ND4J loads, so it takes another process.
     */
    static void defaultWaitPolicy(double oursTokensPerS) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TrainBench.class.getName(), STEP_ONLY));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("OMP_WAIT_POLICY");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            System.out.println("default-wait-policy child JVM failed (exit " + p.exitValue() + ")");
            return;
        }
        double ms = out.lines().filter(l -> l.startsWith(STEP_ONLY)).mapToDouble(l -> Double.parseDouble(l.split(" ")[1])).findFirst().orElseThrow();
        double oursMs = 1000.0 * BATCH * SEQ_LEN / oursTokensPerS;
        System.out.printf(Locale.ROOT, "the same step with OpenMP's default wait policy (child JVM without OMP_WAIT_POLICY): %.0f ms/step; default / this JVM = %.2fx the time%n",
                ms, ms / oursMs);
    }

    /** Steps vary by ±30 % one to the next here (2 cores, thread wake-ups), so both sides time 30 after 10 of warm-up. */
    static final int WARMUP_STEPS = 10;
    static final int TIMED_STEPS = 30;

    static double step(double peak) {
        int t = SEQ_LEN;
        int batch = BATCH;
        Gpt2Model.Spec spec = new Gpt2Model.Spec(8192, t, 128, 4, 2);
        ComputationGraph net = Gpt2Model.create(spec, new Gpt2Model.Optimizer(new WarmupCosineSchedule(3e-4, 10, 1000, 0.1), 0.9, 0.95, 1e-8, 0.1, 1.0), 1);
        Random r = new Random(2);
        List<int[]> rows = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] s = new int[t + 1];
            for (int k = 0; k <= t; k++) {
                s[k] = r.nextInt(8192);
            }
            rows.add(s);
        }
        MultiDataSet mds = SequenceBatches.toBatch(rows);
        for (int i = 0; i < WARMUP_STEPS; i++) {
            net.fit(mds);
        }
        int steps = TIMED_STEPS;
        long s = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            net.fit(mds);
        }
        double sec = (System.nanoTime() - s) / 1e9;
        double tokensPerS = (double) steps * batch * t / sec;
        // training FLOPs per token ~ 6 x parameters (+ attention 12 x layers x T x d)
        double flopsPerToken = 6.0 * net.numParams() + 12.0 * spec.layers() * t * spec.modelDim();
        double flops = tokensPerS * flopsPerToken;
        System.out.printf(Locale.ROOT, "training step, 1 JVM, %,d parameters, batch %d x T %d, OMP_WAIT_POLICY=%s: %.0f ms/step, %,.0f tokens/s, %.2f GFLOP/s = %.1f%% of the matmul peak%n",
                net.numParams(), batch, t, System.getenv("OMP_WAIT_POLICY"), sec / steps * 1000, tokensPerS, flops / 1e9, 100 * flops / peak);
        return tokensPerS;
    }

    /**
     * The baseline the issue names: the same architecture and step in PyTorch on CPU with as many
     * threads as this JVM has cores (python/torch_train_bench.py, transformers' GPT2LMHeadModel). Runs
     * when the pinned torch environment exists (bin/python-env transformers: 5.6 GB, so the bench
     * does not create it).
     */
    static void pytorch(double oursTokensPerS) throws Exception {
        File home = new File(System.getProperty("lmforge.home", "."));
        File python = new File(home, ".venv/transformers/bin/python");
        if (!python.canExecute()) {
            System.out.println("PyTorch baseline skipped: no .venv/transformers (create it with bin/python-env transformers, 5.6 GB)");
            return;
        }
        int threads = Runtime.getRuntime().availableProcessors();
        Process p = new ProcessBuilder(python.getPath(), new File(home, "python/torch_train_bench.py").getPath(), String.valueOf(threads), String.valueOf(TIMED_STEPS), String.valueOf(WARMUP_STEPS))
                .redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            System.out.println("PyTorch baseline failed: " + new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        var r = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
        double torch = r.get("tokens_per_s").asDouble();
        System.out.printf(Locale.ROOT, "PyTorch %s, same architecture and step, %d threads: %.0f ms/step, %,.0f tokens/s; ours / PyTorch = %.2f%n",
                "(transformers GPT2LMHeadModel, AdamW)", threads, r.get("step_s").asDouble() * 1000, torch, oursTokensPerS / torch);
    }
}
