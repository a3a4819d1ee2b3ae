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

    /** Runs the stage; throws {@link io.lmforge.core.config.ConfigError} for user errors. */
    StageResult run(StageContext ctx) throws Exception;
}
