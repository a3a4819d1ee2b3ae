package io.lmforge.training.rounds;

import io.lmforge.training.data.SequenceBatches;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A chunk's packed sequences laid out for averaging rounds, once: sequence i (in the deterministic
 * order the stage gives) belongs to minibatch b = i / batch; a round is workers x steps minibatches;
 * within a round worker w takes steps consecutive minibatches. Partition w holds worker w's rows for
 * every round, sorted, and is cached: each round's task reads only its round.
 */
public final class RoundData {
    private final JavaRDD<RoundRow> rows;
    private final long sequences;
    private final long batches;
    private final int rounds;

    private RoundData(JavaRDD<RoundRow> rows, long sequences, long batches, int rounds) {
        this.rows = rows;
        this.sequences = sequences;
        this.batches = batches;
        this.rounds = rounds;
    }

    /** @param ordered rows with a `tokens` array column, already in training order */
    public static RoundData of(Dataset<Row> ordered, int workers, int batch, int steps) {
        long perRound = (long) workers * steps;
        JavaRDD<RoundRow> assigned = SequenceBatches.sequences(ordered).zipWithIndex()
                .mapToPair(t -> {
                    long i = t._2();
                    long b = i / batch;
                    long inRound = b % perRound;
                    return new Tuple2<>((int) (inRound / steps), new RoundRow((int) (b / perRound), (int) (inRound % steps), i, t._1()));
                })
                .partitionBy(new ByWorker(workers))
                .values()
                .mapPartitions(it -> {
                    List<RoundRow> l = new ArrayList<>();
                    it.forEachRemaining(l::add);
                    l.sort(Comparator.comparingLong(RoundRow::order));
                    return l.iterator();
                }, true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        long n = assigned.count();
        long nBatches = (n + batch - 1) / batch;
        return new RoundData(assigned, n, nBatches, (int) ((nBatches + perRound - 1) / perRound));
    }

    public JavaRDD<RoundRow> rows() {
        return rows;
    }

    public long sequences() {
        return sequences;
    }

    public long batches() {
        return batches;
    }

    public int rounds() {
        return rounds;
    }

    public void release() {
        rows.unpersist();
    }

    /** Worker w's rows go to partition w. */
    static final class ByWorker extends Partitioner {
        private final int workers;

        ByWorker(int workers) {
            this.workers = workers;
        }

        @Override
        public int numPartitions() {
            return workers;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }
    }
}
