package io.lmforge.core.stage;

import io.lmforge.core.BuildInfo;
import io.lmforge.core.commit.LockOwner;
import io.lmforge.core.commit.StageLock;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.ids.StableId;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The one stage protocol. For every dataset stage: plan (fail fast on missing inputs) → fingerprint
 * (declared config + inputs + code version with its git commit) → skip when up to date unless
 * --force → exclusive lock of (stage, scope), then the shared locks it waits for → plan again under
 * the locks → arrival order ({@link ArrivalOrder}) → remove leftovers of dead runs → compute into
 * staging → commit ({@link Publication}) → after-commit steps → release. A crash at any point leaves the previous commit readable or nothing
 * readable, never a mix, and the next run recovers (see the crash-recovery end-to-end test).
 */
public final class StageRunner {
    private StageRunner() {
    }

    public static <P> StageResult run(DatasetStage<P> stage, StageContext outer) throws Exception {
        StageSpec spec = stage.spec();
        String chunk = spec.needsChunk() ? outer.requireChunk(spec.name()) : outer.chunk();
        StageContext ctx = outer.withConfig(outer.config().restrictedTo(spec.name(), spec.readableConfig()));
        FileSystem fs = ctx.layout().fs(ctx.spark().sparkContext().hadoopConfiguration());
        String what = spec.name() + (chunk == null ? "" : " " + chunk);
        long t0 = System.nanoTime();
        Instant started = Instant.now();

        String nothingToDo = stage.passOver(ctx, fs);
        if (nothingToDo != null) {
            return ctx.dryRun() ? StageResult.dryRun(spec.name(), chunk, "would pass over: " + nothingToDo)
                    : StageResult.skipped(spec.name(), chunk, "nothing to do: " + nothingToDo);
        }
        List<String> scope = stage.scope(ctx);
        StagePlan<P> plan = stage.plan(ctx);
        String fingerprint = fingerprint(spec, scope, ctx, plan);
        Manifest current = upToDate(fs, plan, fingerprint);
        if (ctx.dryRun()) {
            return DryRun.explain(stage, outer, ctx, fs, chunk, plan, current);
        }
        if (!ctx.force() && current != null) {
            return skipped(spec, chunk, plan);
        }
        String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String lockName = lockName(spec.name(), scope);
        LockOwner me = LockOwner.current(runId, what);
        List<StageLock> locks = new ArrayList<>();
        try {
            locks.add(StageLock.acquire(fs, lockFile(ctx.layout(), lockName), me, ctx.console()));
            for (String shared : stage.sharedLocks(ctx)) {
                locks.add(StageLock.acquireWaiting(fs, lockFile(ctx.layout(), shared), me, ctx.console(),
                        ctx.config().getLong("pipeline.lock-wait-s"), Math.max(1, ctx.config().getInt("pipeline.progress-interval-s")),
                        () -> StageEvents.fire(spec.name(), chunk, StageEvents.Point.WAITING)));
            }
            StageEvents.fire(spec.name(), chunk, StageEvents.Point.LOCKED);
            plan = stage.plan(ctx); // under the locks: what another run committed meanwhile counts
            fingerprint = fingerprint(spec, scope, ctx, plan);
            if (!ctx.force() && upToDate(fs, plan, fingerprint) != null) {
                return skipped(spec, chunk, plan);
            }
            ArrivalOrder.check(stage, outer, fs, chunk); // under the locks: an earlier chunk that was running meanwhile has committed
            return commitRun(stage, spec, ctx, plan, fs, fingerprint, runId, lockName, t0, started);
        } finally {
            for (int i = locks.size() - 1; i >= 0; i--) {
                locks.get(i).close();
            }
        }
    }

    private static <P> StageResult commitRun(DatasetStage<P> stage, StageSpec spec, StageContext ctx, StagePlan<P> plan, FileSystem fs,
                                             String fingerprint, String runId, String lockName, long t0, Instant started) throws Exception {
        String chunk = ctx.chunk();
        Publication pub = new Publication(fs, ctx.layout(), lockName, runId, spec.name());
        pub.removeLeftovers(plan.outputs());
        for (StagePlan.Output o : plan.outputs()) {
            pub.checkReplaceable(o); // before hours of work: a path we may not replace is an argument error
        }
        double planSeconds = (System.nanoTime() - t0) / 1e9;
        StageRun<P> run = new StageRun<>(ctx, plan, pub, runId, spec.name() + (chunk == null ? "" : " " + chunk));
        Computed result;
        long tPublish;
        try {
            long tc = System.nanoTime();
            result = stage.compute(run);
            run.endPhase();
            StageEvents.fire(spec.name(), chunk, StageEvents.Point.COMPUTED);
            for (StagePlan.Output o : plan.outputs()) {
                if (o.finalPath() == null) {
                    throw new IllegalStateException(spec.name() + " did not name its output '" + o.label() + "'");
                }
            }
            tPublish = System.nanoTime();
            Map<String, Double> timings = timings(planSeconds, run.phases(), (tPublish - tc) / 1e9, (tPublish - t0) / 1e9);
            Manifest m = new Manifest(spec.name(), chunk, BuildInfo.codeVersion(), ctx.config().hashOf(spec.config().toArray(new String[0])),
                    fingerprint, runId, ".", result.lineage(), plan.inputs(), plan.outputs().stream().map(o -> o.finalPath().toString()).toList(),
                    result.counts(), timings, started.toString(), Instant.now().toString());
            pub.publish(plan.outputs(), m, chunk);
        } catch (Exception | Error e) {
            pub.abort();
            throw e;
        }
        pub.cleanUp();
        for (StageRun.AfterCommit step : run.afterCommitSteps()) {
            step.run();
        }
        ctx.console().printf(Locale.ROOT, "%s: done in %.1f s (compute %.1f s, commit %.1f s)%n", run.ctx().chunk() == null ? spec.name()
                : spec.name() + " " + chunk, (System.nanoTime() - t0) / 1e9, (tPublish - t0) / 1e9 - planSeconds, (System.nanoTime() - tPublish) / 1e9);
        return StageResult.committed(spec.name(), chunk, result.detail());
    }

    /** Seconds: planning, the stage's own phases, its whole computation, and the run up to the commit. */
    private static Map<String, Double> timings(double plan, Map<String, Double> phases, double compute, double total) {
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("plan", round(plan));
        phases.forEach((k, v) -> t.put(k, round(v)));
        t.put("compute", round(compute));
        t.put("total", round(total));
        return t;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static List<String> withStage(String stage, List<String> scope) {
        List<String> out = new ArrayList<>();
        out.add(stage);
        out.addAll(scope);
        return out;
    }

    /** The name of a stage run's exclusive lock and staging directory: the stage and its scope. */
    static String lockName(String stage, List<String> scope) {
        return String.join("+", withStage(stage, scope));
    }

    static Path lockFile(DatasetLayout layout, String name) {
        return new Path(layout.locks(), name + ".lock");
    }

    /** Stage, scope, code version, declared config, every input's identity and every fact: equal means the outputs would be equal. */
    static String fingerprint(StageSpec spec, List<String> scope, StageContext ctx, StagePlan<?> plan) {
        StringBuilder sb = new StringBuilder(spec.name()).append('|').append(String.join("+", scope)).append('|').append(BuildInfo.codeVersion())
                .append('|').append(ctx.config().hashOf(spec.config().toArray(new String[0])));
        for (Map<String, Object> in : plan.inputs()) {
            sb.append("|in:").append(in.containsKey("fingerprint") ? in.get("label") + "=" + in.get("fingerprint")
                    : in.get("path") + ":" + in.get("bytes") + ":" + in.get("modified"));
        }
        plan.facts().forEach((k, v) -> sb.append("|fact:").append(k).append('=').append(v));
        return StableId.hash(sb.toString());
    }

    private static Manifest upToDate(FileSystem fs, StagePlan<?> plan, String fingerprint) throws IOException {
        for (Path dir : plan.upToDateCandidates()) {
            Manifest m = Manifests.read(fs, dir);
            if (m != null && fingerprint.equals(m.fingerprint())) {
                return m;
            }
        }
        return null;
    }

    private static StageResult skipped(StageSpec spec, String chunk, StagePlan<?> plan) {
        return StageResult.skipped(spec.name(), chunk, "up to date: " + plan.upToDateCandidates().get(0)
                + " was made from the same inputs, config and code; --force recomputes");
    }
}
