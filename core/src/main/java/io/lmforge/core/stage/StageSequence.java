package io.lmforge.core.stage;

import io.lmforge.core.config.ConfigError;

import java.util.List;

/**
 * Runs named stages one after another in this Spark application, as a user would run them one by
 * one with bin/pipeline (each stage still goes through its own protocol: skips what is up to date,
 * commits what it computes). The first failure stops the sequence, so arrival order is kept.
 */
final class StageSequence {
    private final StageContext ctx;
    private final String banner;
    private int runs;
    private boolean pending; // --dry-run: an earlier stage of the sequence would run

    StageSequence(StageContext ctx, String banner) {
        this.ctx = ctx;
        this.banner = banner;
    }

    /** Checks every name before anything runs: a typo must not fail after an hour of earlier stages. */
    static void checkNames(StageRegistry registry, List<String> names, String key) {
        for (String name : names) {
            if (registry.get(name) == null) {
                throw new ConfigError(key + " names unknown stage '" + name + "'");
            }
        }
    }

    /** Runs one stage with {@code stageCtx}; prints a header and the stage's result line. */
    StageResult run(String name, StageContext stageCtx) throws Exception {
        Stage s = ctx.registry().get(name);
        String label = name + (stageCtx.chunk() == null ? "" : " " + stageCtx.chunk());
        ctx.console().println();
        ctx.console().println("=== " + banner + ": " + label + " ===");
        StageResult r;
        try {
            r = s.run(stageCtx);
        } catch (ConfigError | IllegalStateException e) { // a missing input: ConfigError, or "is not committed"
            if (!stageCtx.dryRun() || !pending) {
                throw e;
            }
            // its inputs are what an earlier stage of this dry run would make
            r = StageResult.dryRun(name, stageCtx.chunk(), "would run after the stages before it (now: " + e.getMessage() + ")");
        }
        pending |= r.wouldRun();
        ctx.console().println(label + ": " + r.outcome().label() + (r.detail() == null ? "" : " (" + r.detail() + ")"));
        runs++;
        return r;
    }

    int runs() {
        return runs;
    }
}
