package io.lmforge.training.stage;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.ModelHeader;
import io.lmforge.core.dataset.RunCheckpoints;
import io.lmforge.core.dataset.TokenizerHeader;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.StageRun;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.optim.OptimizerSpec;
import io.lmforge.training.pbt.HeldOutSet;
import io.lmforge.training.pbt.Member;
import io.lmforge.training.pbt.MemberTask;
import io.lmforge.training.pbt.PbtDecisions;
import io.lmforge.training.pbt.PbtSettings;
import io.lmforge.training.pbt.Population;
import io.lmforge.training.pbt.PopulationTraining;
import io.lmforge.training.rounds.NetPool;
import io.lmforge.training.rounds.RoundData;
import io.lmforge.training.rounds.RoundState;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * train.mode = pbt for one chunk: the run's population (from the latest checkpoint's population/, or a
 * new one from the starting model) trains the chunk with {@link PopulationTraining}; the checkpoint
 * keeps the whole population and, as model.zip, its best member, which is what eval and export-hf read.
 * Writes pbt/&lt;run&gt;/lineage/chunk=ID (every member at every ready point) and, as metrics, the best
 * member's rounds.
 */
final class PbtChunk {
    /** What the stage prepared: the starting model and optimiser state, the chunk's training order, the tokens seen before it. */
    record Start(ComputationGraph net, RoundState state, Dataset<Row> sequences, long tokensSeen, int vocab) {
    }

    /** The population after the chunk, its best member as a model, the best member's metrics rows, the lineage rows, tokens per member. */
    record Outcome(Population population, ComputationGraph best, List<Row> metrics, List<Row> lineage, long tokensSeen, int exploits, int rounds) {
    }

    private final StageRun<TrainStage.Plan> run;
    private final PipelineConfig c;
    private final PbtSettings settings;
    private final OptimizerSpec opt;

    PbtChunk(StageRun<TrainStage.Plan> run, OptimizerSpec opt) {
        this.run = run;
        this.c = run.config();
        this.settings = PbtSettings.from(c);
        this.opt = opt;
        if (c.getInt("train.grow.layers-per-chunk") > 0) {
            throw new ConfigError("train.mode = pbt with train.grow.layers-per-chunk > 0 is not supported: every member would have to grow alike");
        }
    }

    /** Trains the chunk and stages the checkpoint (best member + population), the best member's metrics and the lineage. */
    Computed compute(Start s, long replayCount, List<String> replayChunks, long t0) throws IOException {
        TrainStage.Plan p = run.payload();
        Outcome o = train(s, t0);
        run.phase("save");
        Population pop = o.population();
        Member best = pop.members().get(pop.best());
        Path dir = run.staged("model");
        TrainStage.saveCheckpoint(run.fs(), dir, o.best(), new RoundState(new float[][]{best.inner()}, new float[best.params().length]), opt,
                new ModelHeader(best.iteration(), o.tokensSeen(), p.group(), p.latest() == null ? null : p.latest().chunk(), c.getLong("train.seed"),
                        replayCount, replayChunks, p.tokenizerVersion(), p.seqLen(), s.vocab(), o.best().numParams(),
                        Gpt2Model.layerOf(o.best()).architecture().label()));
        pop.save(run.fs(), dir);
        Datasets.writeChunkRows(run.spark(), o.metrics(), DatasetSchemas.TRAIN_METRICS, run.staged("metrics"));
        TrainTracking.afterCommit(run, o.metrics());
        Datasets.writeChunkRows(run.spark(), o.lineage(), DatasetSchemas.PBT_LINEAGE, run.staged("lineage"));
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("trained", 1);
        counts.put("mode", "pbt");
        counts.put("chunks", p.group());
        counts.put("population", pop.members().size());
        counts.put("rounds", o.rounds());
        counts.put("ready_points", o.lineage().size() / Math.max(1, pop.members().size()));
        counts.put("exploits", o.exploits());
        counts.put("replayed_sequences", replayCount);
        counts.put("best_member", pop.best());
        counts.put("best_bpb", best.score());
        counts.put("best_hyperparameters", best.hyper());
        counts.put("step", best.iteration());
        counts.put("tokens_seen", o.tokensSeen());
        counts.put("population_tokens", (o.tokensSeen() - s.tokensSeen()) * pop.members().size());
        return new Computed(counts, new Lineage(p.seq(), p.tokenizerVersion(), p.seqLen()), String.format(Locale.ROOT,
                "population of %d, %d rounds, %d exploits; best member %d (%s): held-out %.4f bits/byte, step %,d -> %s", pop.members().size(),
                o.rounds(), o.exploits(), pop.best(), hyper(best.hyper()), best.score(), best.iteration(), run.output("model")));
    }

    Outcome train(Start s, long t0) throws IOException {
        String chunk = run.chunk();
        TrainStage.Plan p = run.payload();
        RunCheckpoints ckpts = new RunCheckpoints(run.fs(), run.layout(), c.getString("train.run"));
        ComputationGraph net = s.net();
        PopulationTraining pbt = new PopulationTraining(JavaSparkContext.fromSparkContext(run.spark().sparkContext()),
                Gpt2Model.Spec.of(Gpt2Model.layerOf(net), p.seqLen()), opt, settings, c.getLong("train.seed"), c.getInt("train.batch-per-worker"));
        Population pop = startingPopulation(pbt, ckpts, s);
        int batch = c.getInt("train.batch-per-worker");
        int steps = c.getInt("train.averaging-frequency");
        RoundData data = RoundData.of(s.sequences().orderBy("seq_id", "src"), 1, batch, steps);
        int rounds = TrainStage.roundsThisChunk(c, data);
        // a chunk with nothing to train on (empty) commits the population as it was: nothing to score either
        HeldOutSet heldout = rounds == 0 ? new HeldOutSet(List.of(), 0, 0) : heldout(p);
        run.console().printf(Locale.ROOT, "train %s: population of %d (%s), %d rounds, ready every %d, scored on %,d held-out documents (%,d bytes)%n",
                chunk, pop.members().size(), settings.exploit() == PbtSettings.Exploit.NONE ? "exploit = none: random search" : "truncation "
                        + settings.cutoff() + " of " + settings.population(), rounds, settings.readyRounds(), heldout.documents(), heldout.bytes());
        long chunkStart = net.getConfiguration().getIterationCount();
        long chunkSteps = (long) rounds * steps;
        Ledger ledger = new Ledger(pbt, pop.members().size(), s.tokensSeen(), steps, chunkStart, chunkSteps, t0);
        run.phase("train");
        Population after = pbt.train(pop, data, rounds, steps, heldout, ready -> {
            ledger.record(ready);
            progress(ready, rounds, t0);
        });
        data.release();
        Member best = after.members().get(after.best());
        return new Outcome(after, bestModel(pbt, best, chunkStart, chunkSteps), ledger.metricsBySlot.get(after.best()), ledger.lineage,
                ledger.tokensSeen, ledger.exploits, rounds);
    }

    /** What the chunk's training reports as members become ready: each member's metric rows, the lineage rows, tokens and exploits. */
    private final class Ledger {
        final List<List<Row>> metricsBySlot = new ArrayList<>();
        final List<Row> lineage = new ArrayList<>();
        private final PopulationTraining pbt;
        private final int steps;
        private final long chunkStart;
        private final long chunkSteps;
        private final long t0;
        long tokensSeen;
        int exploits;

        Ledger(PopulationTraining pbt, int members, long tokensSeen, int steps, long chunkStart, long chunkSteps, long t0) {
            this.pbt = pbt;
            this.tokensSeen = tokensSeen;
            this.steps = steps;
            this.chunkStart = chunkStart;
            this.chunkSteps = chunkSteps;
            this.t0 = t0;
            for (int m = 0; m < members; m++) {
                metricsBySlot.add(new ArrayList<>());
            }
        }

        void record(PopulationTraining.Ready ready) {
            String chunk = run.chunk();
            long tokens = 0;
            for (MemberTask.Result r : ready.results()) {
                long seen = tokensSeen;
                OptimizerSpec mo = pbt.optimizerOf(ready.hyperUsed().get(r.member()));
                for (int k = 0; k < r.roundLoss().length; k++) {
                    seen += r.roundTokens()[k];
                    long step = r.iteration() - (long) (r.roundLoss().length - 1 - k) * steps;
                    metricsBySlot.get(r.member()).add(RowFactory.create(step, chunk, ready.fromRound() + k, r.roundLoss()[k],
                            mo.learningRateAt(mo.scheduleForChunk(chunkStart, chunkSteps), step), r.roundTokens()[k],
                            r.roundTokens()[k] / Math.max(r.seconds(), 1e-9) * r.roundLoss().length, seen, (System.nanoTime() - t0) / 1e9, null, null, null));
                }
                tokens = seen - tokensSeen;
                PbtDecisions.Decision d = ready.decisions().get(r.member());
                exploits += d.exploited() ? 1 : 0;
                lineage.add(RowFactory.create(chunk, ready.index(), ready.toRound() - 1, (long) r.iteration(), seen, r.member(),
                        ready.hyperUsed().get(r.member()), mean(r.roundLoss()), r.score(), d.parent(), d.exploited(), d.hyper(), r.seconds()));
            }
            tokensSeen += tokens;
        }
    }

    /** The population the run has (from the checkpoint continued), or a new one around the starting model. */
    private Population startingPopulation(PopulationTraining pbt, RunCheckpoints ckpts, Start s) throws IOException {
        TrainStage.Plan p = run.payload();
        if (p.latest() != null && Population.existsIn(run.fs(), ckpts.chunkDir(p.latest().chunk()))) {
            Population pop = Population.load(run.fs(), ckpts.chunkDir(p.latest().chunk()));
            if (pop.members().size() != settings.population()) {
                throw new ConfigError("train.pbt.population = " + settings.population() + " but the run's population (checkpoint "
                        + p.latest().chunk() + ") has " + pop.members().size() + " members (set it back, or start a new train.run)");
            }
            run.console().printf(Locale.ROOT, "train %s: continuing the population of chunk %s (best member %d)%n", run.chunk(), p.latest().chunk(), pop.best());
            return pop;
        }
        // a new population: from a new run, each member its own random initialisation (seed + member) as in the paper;
        // from a model trained by train.mode = averaging, every member starts from it
        List<float[]> params = new ArrayList<>(List.of(floats(s.net())));
        if (p.latest() == null) {
            for (int m = 1; m < settings.population(); m++) {
                params.add(floats(Gpt2Model.create(Gpt2Model.Spec.of(Gpt2Model.layerOf(s.net()), p.seqLen()), opt, c.getLong("train.seed") + m)));
            }
        }
        return pbt.initial(params, s.state().sharedInner(), s.net().getConfiguration().getIterationCount());
    }

    private static float[] floats(ComputationGraph net) {
        return net.params().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
    }

    /**
     * The documents members are scored on: the first train.pbt.heldout-docs (by doc id) of the held-out
     * split of the chunks trained now, or, when those held none out, of the run's earlier chunks.
     */
    private HeldOutSet heldout(TrainStage.Plan p) throws IOException {
        List<String> chunks = new ArrayList<>(p.group());
        Dataset<Row> docs = heldoutOf(chunks);
        if (docs == null) {
            chunks = p.history().stream().map(RunCheckpoints.Entry::chunk).collect(Collectors.toList());
            docs = heldoutOf(chunks);
        }
        if (docs == null) {
            throw new ConfigError("train.mode = pbt scores members on held-out documents, but mix held none out for " + p.group()
                    + " or the run's earlier chunks (raise mix.heldout-fraction)");
        }
        List<int[]> tokens = new ArrayList<>();
        long bytes = 0;
        for (Row r : docs.orderBy("doc_id").limit(settings.heldoutDocs()).collectAsList()) {
            tokens.add(r.getList(1).stream().mapToInt(v -> ((Number) v).intValue()).toArray());
            bytes += ((Number) r.get(2)).longValue();
        }
        int eos = TokenizerHeader.read(run.fs(), run.layout(), p.tokenizerVersion()).eosId();
        return new HeldOutSet(tokens, bytes, eos);
    }

    private Dataset<Row> heldoutOf(List<String> chunks) {
        Dataset<Row> docs = null;
        for (String ch : chunks) {
            Path d = run.layout().mixHeldout(ch);
            if (Datasets.hasDataFiles(run.spark(), d)) {
                Dataset<Row> x = run.spark().read().parquet(d.toString()).select("doc_id", "tokens", "n_bytes");
                docs = docs == null ? x : docs.unionByName(x);
            }
        }
        return docs;
    }

    /** The best member as a DL4J model with its optimiser state (its own learning rate and weight decay in the configuration). */
    private static ComputationGraph bestModel(PopulationTraining pbt, Member best, long chunkStart, long chunkSteps) {
        NetPool.Worker w = NetPool.build(pbt.configJson(best, chunkStart, chunkSteps), pbt.optimizerOf(best.hyper()));
        w.net().setParams(Nd4j.createFromArray(best.params()).reshape(1, best.params().length));
        w.step().setState(w.net(), best.inner());
        w.net().getConfiguration().setIterationCount(best.iteration());
        return w.net();
    }

    private void progress(PopulationTraining.Ready ready, int rounds, long t0) {
        int[] rank = PbtDecisions.ranking(ready.results().stream().mapToDouble(MemberTask.Result::score).toArray());
        MemberTask.Result best = ready.results().get(rank[0]);
        MemberTask.Result worst = ready.results().get(rank[rank.length - 1]);
        String copies = ready.decisions().stream().filter(PbtDecisions.Decision::exploited)
                .map(d -> String.format(Locale.ROOT, "%d <- %d (%s)", d.member(), d.parent(), hyper(d.hyper()))).collect(Collectors.joining(", "));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double eta = elapsed / ready.toRound() * (rounds - ready.toRound());
        run.console().printf(Locale.ROOT, "[pbt %s] ready %d (rounds %d-%d of %d) | step %,d | bpb best %.4f (member %d: %s) worst %.4f (member %d)%s | ETA %.0f s%n",
                run.chunk(), ready.index() + 1, ready.fromRound() + 1, ready.toRound(), rounds, best.iteration(), best.score(), best.member(),
                hyper(ready.hyperUsed().get(best.member())), worst.score(), worst.member(), copies.isEmpty() ? "" : " | " + copies, eta);
    }

    private static String hyper(Map<String, Double> h) {
        return h.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.3g", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return a.length == 0 ? Double.NaN : s / a.length;
    }
}
