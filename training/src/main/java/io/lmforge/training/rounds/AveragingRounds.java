package io.lmforge.training.rounds;

import io.lmforge.training.optim.InnerStep;
import io.lmforge.training.optim.OptimizerSpec;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * Training in averaging rounds on Spark (replaces dl4j-spark's ParameterAveragingTrainingMaster,
 * which cannot act between rounds): each round the driver broadcasts the parameters and the inner
 * optimiser state; every worker (a partition of {@link RoundData}, a task on some executor) takes
 * its inner steps with a DL4J model; the results come back through a tree aggregation (or a collect,
 * when each worker keeps its own optimiser state); the driver averages them and applies the outer
 * optimiser. No side channel: broadcast, mapPartitions, treeAggregate.
 */
public final class AveragingRounds {
    /** What happens to the inner optimiser's state (Adam's moments, schedule-free's z, x, v) between rounds. */
    public enum InnerState {
        /** averaged like the parameters (dl4j-spark's saveUpdater) */
        AVERAGED,
        /** each worker keeps its own (DiLoCo) */
        PER_WORKER,
        /** every round starts from a fresh state */
        RESET
    }

    /**
     * @param workers   workers per round (partitions of the data)
     * @param batch     sequences per minibatch
     * @param steps     inner steps (minibatches) per worker per round: the averaging period
     */
    public record Settings(int workers, int batch, int steps, OuterOptimizer outer, InnerState innerState) implements Serializable {
    }

    /** One round as the metrics record it: mean minibatch loss, tokens trained on, the step count after it. */
    public record Round(int round, double loss, long tokens, int workersTrained, long step, double seconds) {
    }

    private final JavaSparkContext sc;
    private final Settings s;
    private final OptimizerSpec opt;

    public AveragingRounds(JavaSparkContext sc, Settings settings, OptimizerSpec optimizer) {
        this.sc = sc;
        this.s = settings;
        this.opt = optimizer;
    }

    /**
     * Trains rounds [0, rounds) of {@code data}, updating {@code net} (parameters, the driver's view of
     * the inner state) and {@code state} in place, and reports each round.
     */
    public void train(ComputationGraph net, InnerStep driverStep, RoundState state, RoundData data, int rounds, Consumer<Round> each) {
        String json = net.getConfiguration().toJson();
        int numParams = (int) net.numParams();
        for (int r = 0; r < Math.min(rounds, data.rounds()); r++) {
            long t0 = System.nanoTime();
            float[] start = net.params().castTo(DataType.FLOAT).data().asFloat();
            float[][] inner = s.innerState() == InnerState.RESET ? new float[][]{resetState(net, driverStep)}
                    : state.innerFor(s.workers(), s.innerState() == InnerState.PER_WORKER);
            Broadcast<RoundStart> b = sc.broadcast(new RoundStart(json, opt, start, inner, net.getConfiguration().getIterationCount(), r));
            JavaRDD<WorkerResult> results = data.rows().mapPartitions(new RoundWorker(b, r));
            WorkerResult sum;
            if (s.innerState() == InnerState.PER_WORKER) {
                List<WorkerResult> each1 = results.collect();
                float[][] kept = inner.clone();
                sum = WorkerResult.empty();
                for (WorkerResult w : each1) {
                    kept[w.worker()] = w.state(); // a worker that had no minibatches keeps its state
                    sum = sum.plus(w);
                }
                state.setInner(kept);
            } else {
                sum = results.treeAggregate(WorkerResult.empty(), WorkerResult::plus, WorkerResult::plus);
            }
            b.destroy();
            if (sum.workers() == 0) {
                break;
            }
            float[] avgState = scale(sum.state(), 1.0f / sum.workers());
            if (s.innerState() != InnerState.PER_WORKER) {
                state.setInner(new float[][]{avgState});
            }
            float[] next = s.outer().step(start, scale(sum.params(), 1.0f / sum.workers()), state.outerMomentum());
            net.setParams(Nd4j.createFromArray(next).reshape(1, numParams));
            driverStep.setState(net, state.sharedInner());
            if (s.outer().kind() == OuterOptimizer.Kind.NONE) {
                driverStep.restoreTrainingParams(net); // schedule-free: y from the averaged z and x
            }
            net.getConfiguration().setIterationCount(net.getConfiguration().getIterationCount() + sum.maxBatches());
            each.accept(new Round(r, sum.lossSum() / sum.batches(), sum.tokens(), sum.workers(), net.getConfiguration().getIterationCount(),
                    (System.nanoTime() - t0) / 1e9));
        }
    }

    /** The state a fresh optimiser has on this model (zeros for Adam; k = 0 for schedule-free). */
    private static float[] resetState(ComputationGraph net, InnerStep step) {
        float[] s = step.state(net);
        return new float[s.length];
    }

    private static float[] scale(float[] a, float f) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * f;
        }
        return out;
    }
}
