package io.lmforge.training.rounds;

import io.lmforge.training.data.SequenceBatches;
import io.lmforge.training.model.NativeThreads;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A worker's part of one round, on an executor: start from the broadcast parameters and optimiser
 * state, run one inner step per minibatch of this round in this partition, hand back parameters,
 * state and losses. A worker without minibatches in the round (the chunk's last, short round) hands
 * back nothing and is left out of the average.
 */
final class RoundWorker implements FlatMapFunction<Iterator<RoundRow>, WorkerResult> {
    private final Broadcast<RoundStart> start;
    private final int round;

    RoundWorker(Broadcast<RoundStart> start, int round) {
        this.start = start;
        this.round = round;
    }

    @Override
    public Iterator<WorkerResult> call(Iterator<RoundRow> rows) {
        List<List<int[]>> batches = new ArrayList<>();
        int step = -1;
        while (rows.hasNext()) {
            RoundRow r = rows.next();
            if (r.round() != round) {
                continue;
            }
            if (r.step() != step) {
                batches.add(new ArrayList<>());
                step = r.step();
            }
            batches.get(batches.size() - 1).add(r.tokens());
        }
        if (batches.isEmpty()) {
            return Collections.emptyIterator();
        }
        NativeThreads.capForSparkTask();
        RoundStart s = start.value();
        int worker = TaskContext.getPartitionId();
        NetPool.Worker w = NetPool.borrow(s.configJson(), s.optimizer());
        try {
            w.net().setParams(Nd4j.createFromArray(s.params()).reshape(1, s.params().length));
            w.step().setState(w.net(), s.stateFor(worker));
            w.net().getConfiguration().setIterationCount(s.iteration());
            double loss = 0;
            long tokens = 0;
            for (List<int[]> b : batches) {
                loss += w.step().fit(w.net(), SequenceBatches.toBatch(b));
                tokens += (long) b.size() * (b.get(0).length - 1);
            }
            float[] params = w.net().params().castTo(DataType.FLOAT).data().asFloat();
            return List.of(new WorkerResult(worker, params, w.step().state(w.net()), loss, batches.size(), batches.size(), tokens, 1)).iterator();
        } finally {
            NetPool.release(s.configJson(), s.optimizer(), w);
        }
    }
}
