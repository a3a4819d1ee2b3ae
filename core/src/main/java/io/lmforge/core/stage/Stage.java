package io.lmforge.core.stage;

/**
 * One pipeline stage (ingest, dedup, ...) or command (demo). Implementations are discovered with
 * {@link java.util.ServiceLoader}, so a module adds a stage by listing its class in
 * META-INF/services/io.lmforge.core.stage.Stage; core never depends on stage modules.
 */
public interface Stage {
    /** CLI name, e.g. "ingest". */
    String name();

    /** One line for `bin/pipeline --help`. */
    String summary();

    /** Extra text for `bin/pipeline NAME --help`: what it reads, writes, and the config keys it uses. */
    String help();

    /** Whether --chunk is required. */
    boolean needsChunk();

    /**
     * Whether the stage reads what earlier stages wrote under the pipeline root (most do); false for the
     * stages that start a root (ingest, langid-train, run, demo). A root that does not exist is then an
     * error before Spark starts.
     */
    default boolean readsRoot() {
        return true;
    }

    /** Whether the command needs a dataset root at all (config does not: it only shows the configuration). */
    default boolean needsRoot() {
        return true;
    }

    /** Whether the command needs a SparkSession; false for the ones that only read files (status, config), which start at once. */
    default boolean needsSpark() {
        return true;
    }

    /**
     * Checks that need no Spark (inputs that must exist, globs that must match), run before the Spark
     * session starts so a mistake costs no start-up; throws {@link io.lmforge.core.config.ConfigError}.
     */
    default void preflight(io.lmforge.core.config.PipelineConfig config, io.lmforge.core.dataset.DatasetLayout layout, String chunk)
            throws Exception {
    }

    /** Runs the stage; throws {@link io.lmforge.core.config.ConfigError} for user errors. */
    StageResult run(StageContext ctx) throws Exception;
}
