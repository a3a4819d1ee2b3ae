package io.lmforge.core.stage;

import java.util.List;

/**
 * A stage that writes datasets: its declaration ({@link #spec}, {@link #plan}) plus its computation
 * ({@link #compute}). Everything around them (config view, fingerprint, skip or --force, locks,
 * staging, commit, manifests, timings) is {@link StageRunner}'s, the same for every stage.
 *
 * @param <P> what the stage's plan hands its computation (resolved inputs, settings)
 */
public abstract class DatasetStage<P> implements Stage {
    /** The static declaration: name, help, config keys. */
    public abstract StageSpec spec();

    /**
     * Resolves this run's inputs and outputs. Read-only: it runs before the locks are taken (to fail
     * fast and to skip up-to-date work) and again under them.
     */
    public abstract StagePlan<P> plan(StageContext ctx) throws Exception;

    /** Computes the outputs into the run's staged paths and returns their counts. */
    public abstract Computed compute(StageRun<P> run) throws Exception;

    /** What one run of this stage owns exclusively: by default its chunk (or nothing more than the stage). */
    public List<String> scope(StageContext ctx) {
        return ctx.chunk() == null ? List.of() : List.of(ctx.chunk());
    }

    /** Locks shared with other scopes of this or other stages; a run waits for them (pipeline.lock-wait-s). */
    public List<String> sharedLocks(StageContext ctx) {
        return List.of();
    }

    /**
     * The directory that holds this stage's commit marker for {@code chunk} (its primary output), so that
     * `status` and the arrival-order check can tell whether the chunk is done; null for a stage without
     * per-chunk outputs.
     */
    public org.apache.hadoop.fs.Path committedOutput(StageContext ctx, String chunk) {
        return null;
    }

    /**
     * Whether chunk N builds on this stage's own outputs for the chunks that arrived before it (dedup's
     * index, mix's replay history, a run's checkpoints): the runner then refuses N while one of those has
     * no commit ({@link ArrivalOrder}).
     */
    public boolean arrivalOrdered() {
        return false;
    }

    /**
     * Why this run has nothing to do and commits nothing (e.g. a stage that needs the tokenizer, on a chunk
     * that kept no document before any tokenizer existed: {@link io.lmforge.core.dataset.ChunksBeforeTokenizer}),
     * or null for an ordinary run. The runner then reports the stage skipped (exit 0), and the arrival-order
     * check lets later chunks pass over this one. Read from the root alone: `status` asks it too.
     */
    public String passOver(StageContext ctx, org.apache.hadoop.fs.FileSystem fs) throws java.io.IOException {
        return null;
    }

    /**
     * {@link #passOver} of a per-chunk stage that needs the tokenizer: a chunk without this stage's commit that
     * kept no document before any tokenizer existed.
     */
    protected final String passOverChunkBeforeTokenizer(StageContext ctx, org.apache.hadoop.fs.FileSystem fs) throws java.io.IOException {
        String chunk = ctx.chunk();
        if (chunk == null || io.lmforge.core.dataset.Manifests.read(fs, committedOutput(ctx, chunk)) != null) {
            return null;
        }
        return io.lmforge.core.dataset.ChunksBeforeTokenizer.reason(fs, ctx.layout(), chunk);
    }

    @Override
    public final String name() {
        return spec().name();
    }

    @Override
    public final String summary() {
        return spec().summary();
    }

    @Override
    public final String help() {
        return spec().help();
    }

    @Override
    public final boolean needsChunk() {
        return spec().needsChunk();
    }

    @Override
    public final StageResult run(StageContext ctx) throws Exception {
        return StageRunner.run(this, ctx);
    }
}
