package io.lmforge.core.stage;

import io.lmforge.core.dataset.ChunksBeforeTokenizer;
import io.lmforge.core.dataset.DatasetLayout;

import java.util.List;

/**
 * `bin/pipeline run --chunk ID`: every stage of one arriving chunk in one Spark application.
 * Each stage goes through its own protocol exactly as when run alone; what one application buys is
 * one driver and one set of executors (JVM start, jar fetch, JIT warm-up, ND4J load) instead of one
 * per stage, which on a standalone cluster is most of a small chunk's wall time. Schedulers that
 * retry stages on their own (the Airflow DAG) keep running stages one by one.
 */
public final class RunStage implements Stage {
    static final String TOKENIZER_TRAIN = "tokenizer-train";

    @Override
    public boolean readsRoot() {
        return false; // starts with ingest: the root may not exist yet
    }

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run the stages of one chunk (run.stages) in order, in one Spark application";
    }

    @Override
    public String help() {
        return """
                Runs run.stages for --chunk, in order, in one Spark application (one driver and one
                set of executors for all of them). Every stage skips what is up to date and commits what
                it computes, as when run alone; the first failure stops the run (exit 1) and a re-run
                resumes at the stage that failed. tokenizer-train runs when tokenizer.train.chunks names
                the chunk, or, with that list empty, when no tokenizer has been committed yet (the
                tokenizer is trained once and frozen). --force applies to every stage.""";
    }

    @Override
    public boolean needsChunk() {
        return true;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        String chunk = ctx.requireChunk(name());
        List<String> names = ctx.config().getStringList("run.stages");
        StageSequence.checkNames(ctx.registry(), names, "run.stages");
        if (names.contains(name()) || names.contains("demo")) {
            throw new io.lmforge.core.config.ConfigError("run.stages cannot name run or demo: " + names);
        }
        StageSequence sequence = new StageSequence(ctx, "run");
        long start = System.nanoTime();
        for (String stage : names) {
            if (stage.equals(TOKENIZER_TRAIN) && !tokenizerWanted(ctx, chunk)) {
                ctx.console().println(TOKENIZER_TRAIN + " " + chunk + ": not needed (a tokenizer is committed and tokenizer.train.chunks does not name "
                        + chunk + ")");
                continue;
            }
            sequence.run(stage, ctx);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return StageResult.committed(name(), chunk, String.format(java.util.Locale.ROOT, "%d stages in %.1f s", sequence.runs(), seconds));
    }

    /** The tokenizer is trained once and then frozen: on the chunks named, or on the first chunk run. */
    static boolean tokenizerWanted(StageContext ctx, String chunk) throws java.io.IOException {
        List<String> chunks = ctx.config().getStringList("tokenizer.train.chunks");
        if (!chunks.isEmpty()) {
            return chunks.contains(chunk);
        }
        DatasetLayout layout = ctx.layout();
        return ChunksBeforeTokenizer.currentVersion(layout.fs(ctx.spark().sparkContext().hadoopConfiguration()), layout) == null;
    }
}
