package io.lmforge.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.TokenizerHeader;
import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.export.HfGpt2Export;
import io.lmforge.training.export.SafeTensors;
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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `bin/bench train parity [--steps N] [--lr PEAK] [--dtype float64|float32] [--out DIR]`: is our training
 * PyTorch's training? Our side: the model initialised with a seed and exported with export-hf before
 * training; N minibatches of the sample's mix/chunk=0001/train in the order the train stage reads them
 * (written out, so the other side reads exactly these); N steps of (1) AdamW with warm-up + cosine,
 * clipping and decoupled weight decay, (2) schedule-free AdamW, (3) averaging rounds of 2 workers with
 * per-worker Adam and DiLoCo's Nesterov outer step; per-step losses and final parameters (as HF
 * safetensors) written to DIR. The PyTorch side, python/train_parity.py (GPT2LMHeadModel,
 * torch.optim.AdamW, schedulefree.AdamWScheduleFree, and the round loop in a few lines of torch), runs
 * when the pinned torch environment exists (bin/python-env transformers) and prints the comparison with
 * PyTorch's own float32-vs-float64 difference beside it; else the command to run it is printed.
 * Defaults: float64 on both sides (the algorithms, without float32's rounding noise) and peak lr 1e-3
 * (at 3e-3 this model's trajectory is chaotic: PyTorch against itself from weights 1e-12 apart parts by
 * 1e-3 within 60 steps; docs/training.md).
 */
public final class ParityBench {
    static final int T = 128;

    private ParityBench() {
    }

    public static void main(String[] args) throws Exception {
        int steps = 60;
        DataType dtype = DataType.DOUBLE; // the algorithms compared without float32 rounding noise (--dtype float32: the precision we train in)
        double lr = 1e-3;
        Path out = Path.of("target/train-parity").toAbsolutePath();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]).toAbsolutePath();
                case "--dtype" -> dtype = precision(args[++i]);
                case "--lr" -> lr = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("usage: bin/bench train parity [--steps N] [--lr PEAK] [--dtype float32|float64] [--out DIR]");
            }
        }
        int batch = 8;
        Path root = Path.of("target/bench-scaling").toAbsolutePath();
        ScalingBench.prepareData(root); // the sample through the real stages (shared with bin/bench train scaling)
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench-train-parity").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").config("spark.sql.sources.partitionColumnTypeInference.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        DatasetLayout layout = new DatasetLayout(root.toString());
        String version = Files.readString(root.resolve("tokenizer/CURRENT")).strip();
        TokenizerHeader tok = TokenizerHeader.read(layout.fs(spark.sparkContext().hadoopConfiguration()), layout, version);
        // the train stage's order: seq_id, then the chunk (one chunk here)
        Dataset<Row> ordered = spark.read().parquet(layout.mixTrain("0001").toString()).orderBy("seq_id").limit(steps * batch);
        List<int[]> seqs = SequenceBatches.sequences(ordered).collect();
        Files.createDirectories(out);
        writeBatches(out.resolve("batches.safetensors"), seqs);
        Gpt2Model.Spec spec = new Gpt2Model.Spec(tok.vocabSize(), T, 64, 2, 2);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("spec", Map.of("vocab", spec.vocabSize(), "context", T, "d_model", 64, "heads", 2, "layers", 2, "batch", batch, "steps", steps,
                "dtype", dtype == DataType.DOUBLE ? "float64" : "float32"));
        OptimizerSpec adamw = new OptimizerSpec(OptimizerSpec.Kind.ADAMW, lr, 10, OptimizerSpec.Schedule.COSINE, steps, 0.1, 0.9, 0.95, 1e-8,
                0.1, 1.0, 0, 2, false);
        OptimizerSpec sf = new OptimizerSpec(OptimizerSpec.Kind.SCHEDULE_FREE_ADAMW, lr, 10, OptimizerSpec.Schedule.CONSTANT, 0, 0.1, 0.9,
                0.95, 1e-8, 0.1, 1.0, 0, 2, false);
        OptimizerSpec sfDenominator = new OptimizerSpec(OptimizerSpec.Kind.SCHEDULE_FREE_ADAMW, lr, 10, OptimizerSpec.Schedule.CONSTANT, 0, 0.1,
                0.9, 0.95, 1e-8, 0.1, 1.0, 0, 2, true);
        report.put("adamw", sequential(spec, adamw, dtype, seqs, batch, tok.eosId(), out.resolve("adamw")));
        report.put("schedule_free", sequential(spec, sf, dtype, seqs, batch, tok.eosId(), out.resolve("schedule-free")));
        report.put("schedule_free_denominator", sequential(spec, sfDenominator, dtype, seqs, batch, tok.eosId(), out.resolve("schedule-free-denominator")));
        report.put("rounds", rounds(spark, ordered, spec, adamw, dtype, batch, tok.eosId(), out.resolve("rounds")));
        report.put("optimizers", Map.of("adamw", adamw, "schedule_free", sf, "schedule_free_denominator", sfDenominator));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("parity.json").toFile(), report);
        spark.stop();
        torchSide(out);
    }

    /** Plain training, one minibatch per step: the initial and final models as HF directories, the per-step losses. */
    static Map<String, Object> sequential(Gpt2Model.Spec spec, OptimizerSpec opt, DataType dtype, List<int[]> seqs, int batch, int eos, Path dir)
            throws Exception {
        ComputationGraph net = newModel(spec, opt, dtype);
        HfGpt2Export.write(net, eos, dir.resolve("initial"));
        InnerStep step = opt.newStep();
        List<Double> losses = new ArrayList<>();
        for (int b = 0; b + batch <= seqs.size(); b += batch) {
            MultiDataSet mb = SequenceBatches.toBatch(seqs.subList(b, b + batch));
            losses.add(step.fit(net, new org.nd4j.linalg.dataset.MultiDataSet(mb.getFeatures(0).castTo(dtype), mb.getLabels(0).castTo(dtype))));
        }
        HfGpt2Export.write(net, eos, dir.resolve("final-train")); // the training point (schedule-free: y)
        net.setParams(step.evalParams(net));
        HfGpt2Export.write(net, eos, dir.resolve("final-eval"));  // the model evaluated (schedule-free: x)
        System.out.printf(Locale.ROOT, "%s: %d steps, loss %.4f -> %.4f%n", dir.getFileName(), losses.size(), losses.get(0), losses.get(losses.size() - 1));
        return Map.of("losses", losses);
    }

    /** Averaging rounds on Spark: 2 workers x 5 steps, per-worker Adam, Nesterov 0.7/0.9; the mean loss per round. */
    static Map<String, Object> rounds(SparkSession spark, Dataset<Row> ordered, Gpt2Model.Spec spec, OptimizerSpec opt, DataType dtype, int batch,
                                      int eos, Path dir) throws Exception {
        AveragingRounds.Settings s = new AveragingRounds.Settings(2, batch, 5, new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9),
                AveragingRounds.InnerState.PER_WORKER);
        ComputationGraph net = newModel(spec, opt, dtype);
        InnerStep step = opt.newStep();
        RoundState state = RoundState.fresh(step.state(net), (int) net.numParams());
        RoundData data = RoundData.of(ordered, s.workers(), s.batch(), s.steps());
        List<Double> losses = new ArrayList<>();
        new AveragingRounds(JavaSparkContext.fromSparkContext(spark.sparkContext()), s, opt)
                .train(net, step, state, data, Integer.MAX_VALUE, r -> losses.add(r.loss()));
        data.release();
        HfGpt2Export.write(net, eos, dir.resolve("final-train"));
        System.out.printf(Locale.ROOT, "rounds: %d rounds, mean loss %.4f -> %.4f%n", losses.size(), losses.get(0), losses.get(losses.size() - 1));
        return Map.of("losses", losses, "workers", s.workers(), "steps_per_round", s.steps(), "outer_lr", 0.7, "outer_momentum", 0.9);
    }

    /**
     * The model initialised with seed 1 in the precision asked for; in float64, its initial weights rounded to
     * float32 so that the export (float32) hands PyTorch exactly the weights we start from.
     */
    static ComputationGraph newModel(Gpt2Model.Spec spec, OptimizerSpec opt, DataType dtype) {
        ComputationGraph net = Gpt2Model.create(spec, opt, 1, dtype);
        if (dtype != DataType.FLOAT) {
            net.setParams(net.params().castTo(DataType.FLOAT).castTo(dtype));
        }
        return net;
    }

    static DataType precision(String name) {
        return switch (name) {
            case "float32" -> DataType.FLOAT;
            case "float64" -> DataType.DOUBLE;
            default -> throw new IllegalArgumentException("--dtype is float32 or float64, not " + name);
        };
    }

    static void writeBatches(Path file, List<int[]> seqs) throws Exception {
        float[] v = new float[seqs.size() * (T + 1)];
        for (int i = 0; i < seqs.size(); i++) {
            for (int k = 0; k <= T; k++) {
                v[i * (T + 1) + k] = seqs.get(i)[k];
            }
        }
        Files.write(file, SafeTensors.write(Map.of("tokens", new SafeTensors.Tensor(v, new long[]{seqs.size(), T + 1})), Map.of()));
    }

    static void torchSide(Path out) throws Exception {
        File home = new File(System.getProperty("lmforge.home", "."));
        File python = new File(home, ".venv/transformers/bin/python");
        String cmd = python.getPath() + " " + new File(home, "python/train_parity.py").getPath() + " " + out;
        if (!python.canExecute()) {
            System.out.println("PyTorch side not run: no .venv/transformers (bin/python-env transformers, 5.6 GB); then: " + cmd);
            return;
        }
        Process p = new ProcessBuilder(python.getPath(), new File(home, "python/train_parity.py").getPath(), out.toString()).inheritIO().start();
        int rc = p.waitFor();
        System.out.println("python/train_parity.py exit status " + rc);
    }
}
