package io.lmforge.training.rounds;

import io.lmforge.core.testing.SharedSpark;
import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.optim.InnerStep;
import io.lmforge.training.optim.OptimizerSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Averaging rounds on Spark local[2], on byte tokens of real sample text, with a tiny GPT-2. */
class AveragingRoundsTest {
    private static final int T = 16;
    private static final OptimizerSpec ADAMW = new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 3e-3, 5, OptimizerSpec.Schedule.COSINE, 200, 0.1, 0.9, 0.95, 1e-8, 0.01, 1.0, 0, 2, false);
    private static final OptimizerSpec SCHEDULE_FREE = new OptimizerSpec(OptimizerSpec.Kind.SCHEDULE_FREE_ADAMW, 3e-3, 5, OptimizerSpec.Schedule.CONSTANT, 0, 0, 0.9, 0.95, 1e-8, 0.01,
            1.0, 0, 2, false);

    static List<int[]> sequences(int n, int from) throws Exception {
        byte[] text = Files.readAllBytes(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/ud-de.txt"));
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] s = new int[T + 1];
            for (int k = 0; k <= T; k++) {
                s[k] = text[from + i * T + k] & 0xFF;
            }
            out.add(s);
        }
        return out;
    }

    static Dataset<Row> frame(List<int[]> seqs) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
            List<Integer> t = new ArrayList<>();
            for (int v : seqs.get(i)) {
                t.add(v);
            }
            rows.add(RowFactory.create((long) i, t));
        }
        return SharedSpark.get().createDataFrame(rows, new StructType().add("seq_id", DataTypes.LongType)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false))).orderBy("seq_id");
    }

    static ComputationGraph model(OptimizerSpec opt) {
        return Gpt2Model.create(new Gpt2Model.Spec(256, T, 32, 2, 1), opt, 3);
    }

    static JavaSparkContext sc() {
        return JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    }

    /** Trains and returns the per-round losses. */
    static List<Double> train(ComputationGraph net, InnerStep step, RoundState state, AveragingRounds.Settings s, OptimizerSpec opt, List<int[]> seqs) {
        RoundData data = RoundData.of(frame(seqs), s.workers(), s.batch(), s.steps());
        List<Double> losses = new ArrayList<>();
        new AveragingRounds(sc(), s, opt).train(net, step, state, data, Integer.MAX_VALUE, r -> losses.add(r.loss()));
        data.release();
        return losses;
    }

    @Test
    void oneWorkerIsExactlyPlainSequentialTraining() throws Exception {
        List<int[]> seqs = sequences(64, 0);
        ComputationGraph local = model(ADAMW);
        for (int b = 0; b < 64; b += 8) {
            local.fit(SequenceBatches.toBatch(seqs.subList(b, b + 8)));
        }
        ComputationGraph net = model(ADAMW);
        InnerStep step = ADAMW.newStep();
        RoundState state = RoundState.fresh(step.state(net), (int) net.numParams());
        List<Double> losses = train(net, step, state, new AveragingRounds.Settings(1, 8, 3, OuterOptimizer.none(), AveragingRounds.InnerState.AVERAGED),
                ADAMW, seqs);
        assertEquals(3, losses.size(), "8 minibatches in rounds of 3 inner steps");
        assertEquals(8, net.getConfiguration().getIterationCount());
        assertArrayEquals(local.params().toFloatVector(), net.params().toFloatVector(), 1e-6f, "same parameters as fitting the minibatches in order");
        assertArrayEquals(local.getUpdater().getStateViewArray().toFloatVector(), net.getUpdater().getStateViewArray().toFloatVector(), 1e-6f,
                "and the same Adam state");
    }

    @Test
    void twoWorkersLearnAndTheirStatesAreAveragedOrKeptApart() throws Exception {
        List<int[]> seqs = sequences(256, 0);
        for (AveragingRounds.InnerState mode : AveragingRounds.InnerState.values()) {
            ComputationGraph net = model(ADAMW);
            InnerStep step = ADAMW.newStep();
            RoundState state = RoundState.fresh(step.state(net), (int) net.numParams());
            List<Double> losses = train(net, step, state, new AveragingRounds.Settings(2, 8, 4, OuterOptimizer.none(), mode), ADAMW, seqs);
            assertEquals(4, losses.size(), mode + ": 32 minibatches in rounds of 2 workers x 4 steps");
            assertTrue(losses.get(3) < losses.get(0) - 0.3, mode + ": loss per token went down: " + losses);
            assertEquals(mode == AveragingRounds.InnerState.PER_WORKER ? 2 : 1, state.inner().length, mode.toString());
            if (mode == AveragingRounds.InnerState.PER_WORKER) {
                assertNotEquals(state.inner()[0][0], state.inner()[1][0], "each worker's Adam moments are its own");
            }
        }
    }

    @Test
    void theNesterovOuterStepIsTorchSgdWithNesterovMomentumOnTheOuterGradient() {
        OuterOptimizer outer = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9);
        float[] buffer = new float[2];
        // round 1: g = start - avg = (0.1, -0.2); b = g; next = start - 0.7 * (g + 0.9 b) = start - 1.33 g
        float[] next = outer.step(new float[]{1.0f, 2.0f}, new float[]{0.9f, 2.2f}, buffer);
        assertArrayEquals(new float[]{0.867f, 2.266f}, next, 1e-6f);
        assertArrayEquals(new float[]{0.1f, -0.2f}, buffer, 1e-7f);
        // round 2: g = (0.867 - 0.8, 2.266 - 2.3) = (0.067, -0.034); b = 0.9 b + g = (0.157, -0.214);
        // next = start - 0.7 * (g + 0.9 b) = (0.867 - 0.7 * 0.2083, 2.266 - 0.7 * -0.2266)
        next = outer.step(next, new float[]{0.8f, 2.3f}, buffer);
        assertArrayEquals(new float[]{0.157f, -0.214f}, buffer, 1e-6f);
        assertArrayEquals(new float[]{0.72119f, 2.42462f}, next, 1e-5f);
        assertArrayEquals(new float[]{5f}, OuterOptimizer.none().step(new float[]{1f}, new float[]{5f}, new float[1]));
    }

    @Test
    void resumingFromASavedCheckpointContinuesBitForBit() throws Exception {
        List<int[]> a = sequences(64, 0);
        List<int[]> b = sequences(64, 64 * T);
        for (OptimizerSpec opt : List.of(ADAMW, SCHEDULE_FREE)) {
            OuterOptimizer outer = opt == ADAMW ? new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9) : OuterOptimizer.none();
            AveragingRounds.InnerState inner = opt == ADAMW ? AveragingRounds.InnerState.PER_WORKER : AveragingRounds.InnerState.AVERAGED;
            AveragingRounds.Settings s = new AveragingRounds.Settings(2, 4, 2, outer, inner);
            // straight: chunk a then chunk b in one process
            ComputationGraph straight = model(opt);
            InnerStep step = opt.newStep();
            RoundState state = RoundState.fresh(step.state(straight), (int) straight.numParams());
            train(straight, step, state, s, opt, a);
            List<Double> straightB = train(straight, step, state, s, opt, b);
            // resumed: chunk a, checkpoint as the train stage writes it, load, chunk b
            ComputationGraph first = model(opt);
            InnerStep step1 = opt.newStep();
            RoundState state1 = RoundState.fresh(step1.state(first), (int) first.numParams());
            train(first, step1, state1, s, opt, a);
            java.nio.file.Path dir = SharedSpark.tempDir("resume");
            FileSystem fs = FileSystem.getLocal(new Configuration());
            first.setParams(step1.evalParams(first));
            io.lmforge.training.model.ModelFiles.save(fs, first, new Path(dir.toString()));
            RoundStateFile.write(fs, new Path(dir.toString()), state1, opt.kind().name());
            ComputationGraph resumed = io.lmforge.training.model.ModelFiles.load(fs, new Path(dir.resolve("model.zip").toString()));
            RoundState state2 = RoundStateFile.read(fs, new Path(dir.toString()), opt.kind().name());
            InnerStep step2 = opt.newStep();
            step2.setState(resumed, state2.sharedInner());
            step2.restoreTrainingParams(resumed);
            List<Double> resumedB = train(resumed, step2, state2, s, opt, b);
            assertEquals(straightB, resumedB, opt.kind() + ": the same losses after the checkpoint");
            assertArrayEquals(straight.params().toFloatVector(), resumed.params().toFloatVector(), opt.kind() + ": the same parameters");
            assertArrayEquals(state.outerMomentum(), state2.outerMomentum(), opt.kind() + ": the same outer momentum");
        }
    }
}
