package io.lmforge.core.dataset;

import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/datasets.md promises rows sorted by doc_id in every language file, whatever order they arrive in. */
class LangPartitionedWriteTest {

    @Test
    void everyFileHoldsOneLanguageSortedByDocId(@TempDir Path tmp) throws Exception {
        SparkSession spark = SharedSpark.get();
        String sample = new File(SharedSpark.repoRoot(), "data/sample/chunk-0001/ud.jsonl.gz").toString();
        // real documents in an order unrelated to doc_id, spread over several input partitions
        Dataset<Row> docs = spark.read().json(sample).selectExpr("sha2(text, 256) AS doc_id", "split(id, '/')[1] AS lang", "text")
                .repartition(3).orderBy(col("text"));
        long languages = docs.select("lang").distinct().count();
        assertTrue(languages >= 3, "the sample file has several languages");
        for (int filesPerLang : new int[]{1, 3}) {
            Path out = tmp.resolve("files" + filesPerLang);
            LangPartitionedWrite.write(docs, filesPerLang, "zstd", out.toString());
            long rows = 0;
            int files = 0;
            for (Path f : parquetFiles(out)) {
                List<Row> got = spark.read().parquet(f.toString()).select("doc_id").collectAsList();
                List<String> ids = new ArrayList<>();
                got.forEach(r -> ids.add(r.getString(0)));
                List<String> sorted = new ArrayList<>(ids);
                sorted.sort(null);
                assertEquals(sorted, ids, f + " is sorted by doc_id");
                rows += ids.size();
                files++;
            }
            assertEquals(docs.count(), rows, "every row written once");
            assertTrue(files >= languages && files <= languages * filesPerLang, files + " files for " + languages + " languages");
        }
    }

    private static List<Path> parquetFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
    }
}
