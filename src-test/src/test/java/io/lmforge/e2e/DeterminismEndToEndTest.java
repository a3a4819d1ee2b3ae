package io.lmforge.e2e;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two runs, with 1 and with 4 processing partitions, give identical doc_ids and rows. */
class DeterminismEndToEndTest {

    @Test
    void outputsDoNotDependOnRunOrPartitioning() {
        String input = SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0001/oldi-seed.jsonl.gz").toString();
        Path a = SharedSpark.tempDir("det-a");
        Path b = SharedSpark.tempDir("det-b");
        assertEquals(0, Cli.run("ingest", "--chunk", "0001", "--root", a.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]",
                "--set", "ingest.input.repartition=1").status());
        assertEquals(0, Cli.run("ingest", "--chunk", "0001", "--root", b.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]",
                "--set", "ingest.input.repartition=4").status());
        for (String ds : List.of("docs", "rejected")) {
            List<Row> ra = rows(a, ds);
            List<Row> rb = rows(b, ds);
            assertTrue(!ra.isEmpty() || ds.equals("rejected"));
            assertEquals(ra, rb, ds + " differ between 1 and 4 partitions");
        }
    }

    private static List<Row> rows(Path root, String dataset) {
        SparkSession spark = SharedSpark.get();
        Dataset<Row> d = Datasets.readChunk(spark, new DatasetLayout(root.toString()), dataset, "0001");
        String[] cols = java.util.Arrays.stream(d.columns()).filter(c -> !c.equals("source")).toArray(String[]::new);
        return d.selectExpr(cols).drop("metadata", "raw_bytes").orderBy("doc_id").collectAsList();
    }
}
