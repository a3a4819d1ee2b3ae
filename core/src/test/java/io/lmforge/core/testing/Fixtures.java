package io.lmforge.core.testing;

import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.ChunkRegistry;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRegistry;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Committed input datasets for tests and benchmarks, written "as stage X would" through the real
 * {@link io.lmforge.core.stage.StageRunner} (so fixtures carry real manifests and commit markers).
 */
public final class Fixtures {
    /** Writes the dataset's files into the staged directory it is given. */
    public interface Writer {
        void write(Path staged) throws Exception;
    }

    private Fixtures() {
    }

    /** Commits the directory {@code finalPath} as stage {@code stage}'s output for {@code chunk}. */
    public static void commit(SparkSession spark, DatasetLayout layout, String stage, String chunk, Path finalPath, Writer writer,
                              Map<String, Object> counts, Lineage lineage) throws Exception {
        DatasetStage<Void> fixture = new DatasetStage<>() {
            @Override
            public StageSpec spec() {
                return StageSpec.of(stage, "test fixture").build();
            }

            @Override
            public List<String> scope(StageContext ctx) {
                return List.of(chunk == null ? "all" : chunk, "fixture" + Long.toHexString(System.nanoTime()));
            }

            @Override
            public StagePlan<Void> plan(StageContext ctx) {
                return new StagePlan<Void>(layout.fs(spark.sparkContext().hadoopConfiguration())).output("out", finalPath);
            }

            @Override
            public Computed compute(StageRun<Void> run) throws Exception {
                writer.write(run.staged("out"));
                return new Computed(new LinkedHashMap<>(counts), lineage, "fixture");
            }
        };
        StageContext ctx = new StageContext(spark, PipelineConfig.load(null, List.of()), layout, chunk, true,
                new PrintStream(new ByteArrayOutputStream()), new StageRegistry());
        fixture.run(ctx);
    }

    /** {@code df} with every column of {@code schema} it lacks added as a typed null, in the schema's order (for partial fixtures). */
    public static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> padTo(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df,
                                                                            org.apache.spark.sql.types.StructType schema) {
        List<String> have = List.of(df.columns());
        List<org.apache.spark.sql.Column> cols = new java.util.ArrayList<>();
        for (org.apache.spark.sql.types.StructField f : schema.fields()) {
            cols.add(have.contains(f.name()) ? org.apache.spark.sql.functions.col(f.name())
                    : org.apache.spark.sql.functions.lit(null).cast(f.dataType()).as(f.name()));
        }
        return df.select(cols.toArray(new org.apache.spark.sql.Column[0]));
    }

    /** Gives the chunks their arrival numbers in this order (what dedup does on first sight). */
    public static void arrive(SparkSession spark, DatasetLayout layout, String... chunks) throws IOException {
        ChunkRegistry registry = new ChunkRegistry(layout.fs(spark.sparkContext().hadoopConfiguration()), layout);
        for (String c : chunks) {
            registry.register(c);
        }
    }
}
