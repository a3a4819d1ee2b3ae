package io.lmforge.training.pbt;

import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.NativeThreads;
import io.lmforge.training.optim.OptimizerSpec;
import io.lmforge.training.rounds.NetPool;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One member's period between two ready points, as one Spark task on some executor: its DL4J model
 * (its configuration carries its learning rate and weight decay), its weights and optimiser state,
 * one step per minibatch of the period's rounds, then its score on the held-out set.
 */
public final class MemberTask implements FlatMapFunction<Iterator<Integer>, MemberTask.Result> {
    /**
     * What every member's task shares, broadcast once per period: each member's DL4J configuration and
     * optimiser, the period's minibatches by round, and the held-out set. The members' weights and
     * states are broadcast one by one, so a task fetches only its own.
     */
    public record Period(List<String> configJson, List<OptimizerSpec> optimizers, List<List<List<int[]>>> rounds,
                         HeldOutSet heldout, int scoreBatch) implements Serializable {
    }

    /** A member after its period: weights (checkpoint form) and state, loss and tokens per round, held-out bits per byte. */
    public record Result(int member, float[] params, float[] inner, int iteration, double[] roundLoss, long[] roundTokens, double score,
                         double seconds) implements Serializable {
    }

    private final Broadcast<Period> period;
    private final List<Broadcast<Member>> members;

    public MemberTask(Broadcast<Period> period, List<Broadcast<Member>> members) {
        this.period = period;
        this.members = members;
    }

    @Override
    public Iterator<Result> call(Iterator<Integer> ids) {
        List<Result> out = new ArrayList<>();
        while (ids.hasNext()) {
            int id = ids.next();
            out.add(train(period.value(), members.get(id).value(), id));
        }
        return out.iterator();
    }

    static Result train(Period p, Member m, int id) {
        long t0 = System.nanoTime();
        NativeThreads.capForSparkTask();
        // built for the task, not pooled: a member's configuration (its learning rate, weight decay) changes at ready points
        NetPool.Worker w = NetPool.build(p.configJson().get(id), p.optimizers().get(id));
        try {
            w.net().setParams(Nd4j.createFromArray(m.params()).reshape(1, m.params().length));
            w.step().setState(w.net(), m.inner());
            w.net().getConfiguration().setIterationCount(m.iteration());
            w.step().restoreTrainingParams(w.net()); // schedule-free: y from x and z
            double[] loss = new double[p.rounds().size()];
            long[] tokens = new long[p.rounds().size()];
            for (int r = 0; r < loss.length; r++) {
                List<List<int[]>> batches = p.rounds().get(r);
                for (List<int[]> b : batches) {
                    loss[r] += w.step().fit(w.net(), SequenceBatches.toBatch(b)) / batches.size();
                    tokens[r] += (long) b.size() * (b.get(0).length - 1);
                }
            }
            float[] inner = w.step().state(w.net());
            w.net().setParams(w.step().evalParams(w.net())); // what a checkpoint keeps and eval scores
            float[] params = w.net().params().castTo(DataType.FLOAT).data().asFloat();
            double score = p.heldout().bitsPerByte(w.net(), p.scoreBatch());
            return new Result(id, params, inner, w.net().getConfiguration().getIterationCount(), loss, tokens, score, (System.nanoTime() - t0) / 1e9);
        } finally {
            w.net().clear();
        }
    }
}
