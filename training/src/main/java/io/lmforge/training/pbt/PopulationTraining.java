package io.lmforge.training.pbt;

import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.optim.OptimizerSpec;
import io.lmforge.training.rounds.RoundData;
import io.lmforge.training.rounds.RoundRow;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Population Based Training over one chunk on Spark: between two ready points every member trains the
 * same rounds of the chunk as its own Spark task (one member per task, so members spread over the
 * executors), is scored on the held-out set in that task, and comes back to the driver, which then
 * exploits and explores ({@link PbtDecisions}) before the next period. A ready point falls every
 * train.pbt.ready-rounds rounds and at the end of the chunk. Broadcast, mapPartitions, collect: no side channel.
 */
public final class PopulationTraining {
    /** A ready point: which one (counted over the run), the rounds it closed, each member's result, the decisions taken. */
    public record Ready(long index, int fromRound, int toRound, List<MemberTask.Result> results, List<Map<String, Double>> hyperUsed,
                        List<PbtDecisions.Decision> decisions) {
    }

    private final JavaSparkContext sc;
    private final Gpt2Model.Spec spec;
    private final OptimizerSpec base;
    private final PbtSettings settings;
    private final long seed;
    private final int scoreBatch;

    public PopulationTraining(JavaSparkContext sc, Gpt2Model.Spec spec, OptimizerSpec base, PbtSettings settings, long seed, int scoreBatch) {
        this.sc = sc;
        this.spec = spec;
        this.base = base;
        this.settings = settings;
        this.seed = seed;
        this.scoreBatch = scoreBatch;
    }

    /**
     * The run's first population: member m starts from {@code params.get(m)} (or the only one given), the
     * same optimiser state, and hyperparameters drawn from the priors.
     */
    public Population initial(List<float[]> params, float[] inner, int iteration) {
        List<Map<String, Double>> hypers = PbtDecisions.initial(settings, new SplittableRandom(seed));
        List<Member> members = new ArrayList<>();
        for (int m = 0; m < settings.population(); m++) {
            members.add(new Member(m, hypers.get(m), params.get(params.size() == 1 ? 0 : m).clone(), inner.clone(), iteration, Double.NaN));
        }
        return new Population(members, 0, 0);
    }

    /** The optimiser of a member with searched hyperparameters {@code hyper}: train.optimizer.* with those values. */
    public OptimizerSpec optimizerOf(Map<String, Double> hyper) {
        OptimizerSpec o = base;
        for (Hyperparameter h : settings.searched()) {
            o = h.applyTo(o, hyper.get(h.name()));
        }
        return o;
    }

    /** A member's DL4J configuration: its learning rate over this chunk's steps (train.optimizer.schedule) and weight decay. */
    public String configJson(Member m, long chunkStart, long chunkSteps) {
        OptimizerSpec o = optimizerOf(m.hyper());
        return Gpt2Model.configuration(spec, o, o.scheduleForChunk(chunkStart, chunkSteps), seed, DataType.FLOAT).toJson();
    }

    /** Trains rounds [0, rounds) of {@code data} (laid out for one worker) with every member; returns the population after the last ready point. */
    public Population train(Population pop, RoundData data, int rounds, int stepsPerRound, HeldOutSet heldout, Consumer<Ready> each) {
        long chunkStart = pop.members().get(0).iteration();
        long chunkSteps = (long) rounds * stepsPerRound;
        List<Member> members = new ArrayList<>(pop.members());
        long ready = pop.readyPoints();
        int best = pop.best();
        for (int a = 0; a < rounds; a += settings.readyRounds()) {
            int b = Math.min(rounds, a + settings.readyRounds());
            List<String> json = new ArrayList<>();
            List<OptimizerSpec> opts = new ArrayList<>();
            for (Member m : members) {
                json.add(configJson(m, chunkStart, chunkSteps));
                opts.add(optimizerOf(m.hyper()));
            }
            Broadcast<MemberTask.Period> bc = sc.broadcast(new MemberTask.Period(json, opts, batches(data, a, b), heldout, scoreBatch));
            List<Broadcast<Member>> states = members.stream().map(sc::broadcast).toList();
            List<MemberTask.Result> results = new ArrayList<>(sc.parallelize(IntStream.range(0, members.size()).boxed().toList(), members.size())
                    .mapPartitions(new MemberTask(bc, states)).collect());
            bc.destroy();
            states.forEach(Broadcast::destroy);
            results.sort(Comparator.comparingInt(MemberTask.Result::member));
            List<Map<String, Double>> used = new ArrayList<>();
            double[] scores = new double[members.size()];
            for (MemberTask.Result r : results) {
                Member m = members.get(r.member());
                used.add(m.hyper());
                scores[r.member()] = r.score();
                members.set(r.member(), new Member(m.id(), m.hyper(), r.params(), r.inner(), r.iteration(), r.score()));
            }
            List<PbtDecisions.Decision> decisions = PbtDecisions.decide(scores, used, settings, readyRandom(ready));
            List<Member> before = List.copyOf(members);
            for (PbtDecisions.Decision d : decisions) {
                if (d.exploited()) {
                    members.set(d.member(), before.get(d.member()).copyOf(before.get(d.parent()), d.hyper()));
                }
            }
            each.accept(new Ready(ready, a, b, results, used, decisions));
            best = PbtDecisions.ranking(scores)[0]; // the member that scored best itself, never a copy of it (copies tie with their parent)
            ready++;
        }
        return new Population(members, ready, best);
    }

    /** The draws of one ready point: a generator from the run's seed and the point's number, so a resumed run draws the same. */
    SplittableRandom readyRandom(long ready) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + ready + 1);
    }

    /** Rounds [a, b) of the chunk: by round, its minibatches in order. */
    private static List<List<List<int[]>>> batches(RoundData data, int a, int b) {
        List<RoundRow> rows = new ArrayList<>(data.rows().filter(r -> r.round() >= a && r.round() < b).collect()); // the period's rows only
        rows.sort(Comparator.comparingLong(RoundRow::order));
        List<List<List<int[]>>> out = new ArrayList<>();
        for (int r = a; r < b; r++) {
            out.add(new ArrayList<>());
        }
        int lastStep = -1;
        int lastRound = -1;
        for (RoundRow r : rows) {
            List<List<int[]>> round = out.get(r.round() - a);
            if (r.round() != lastRound || r.step() != lastStep) {
                round.add(new ArrayList<>());
                lastRound = r.round();
                lastStep = r.step();
            }
            round.get(round.size() - 1).add(r.tokens());
        }
        return out;
    }
}
