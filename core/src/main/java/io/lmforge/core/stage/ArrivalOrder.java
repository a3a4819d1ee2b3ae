package io.lmforge.core.stage;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.ChunkRegistry;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifests;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Chunks strictly in arrival order, whatever triggered the run (a scheduler's retry, a manual trigger,
 * two chunks landing at once): an {@link DatasetStage#arrivalOrdered arrival-ordered} stage refuses
 * chunk N while a chunk that arrived before N has no commit of that same stage, because N would otherwise
 * be built without it (deduplicated against an index that lacks it, trained past it) and nothing would
 * ever bring it back. Arrival is the {@link ChunkRegistry}'s number; a chunk that is ingested but not yet
 * numbered counts as earlier than an unnumbered chunk whose id sorts after it. `pipeline.allow-gaps`
 * (`--allow-gaps`) lets an operator skip a chunk on purpose; a chunk the stage {@link DatasetStage#passOver passes over}
 * (nothing in it for the stage) needs no commit.
 */
final class ArrivalOrder {
    private ArrivalOrder() {
    }

    static void check(DatasetStage<?> stage, StageContext ctx, FileSystem fs, String chunk) throws IOException {
        if (chunk == null || !stage.arrivalOrdered() || ctx.config().getBoolean("pipeline.allow-gaps")) {
            return;
        }
        for (String earlier : earlierChunks(fs, ctx.layout(), chunk)) {
            if (Manifests.read(fs, stage.committedOutput(ctx, earlier)) == null && stage.passOver(ctx.withChunk(earlier), fs) == null) {
                throw new ConfigError(stage.name() + " " + chunk + " must wait for chunk " + earlier + ", which arrived before it and has no committed "
                        + stage.name() + ": run `" + stage.name() + " --chunk " + earlier + "` first (chunks are processed in arrival order), or pass"
                        + " --allow-gaps to go on without it");
            }
        }
    }

    /** Numbered chunks before {@code chunk}; for an unnumbered chunk also the ingested, unnumbered chunks whose id sorts before it. */
    static List<String> earlierChunks(FileSystem fs, DatasetLayout layout, String chunk) throws IOException {
        ChunkRegistry registry = new ChunkRegistry(fs, layout);
        List<String> out = new ArrayList<>(registry.before(chunk));
        if (registry.arrival(chunk) == Long.MAX_VALUE) {
            registry.unnumberedIngested(true).stream().filter(other -> other.compareTo(chunk) < 0).forEach(out::add);
        }
        return out;
    }
}
