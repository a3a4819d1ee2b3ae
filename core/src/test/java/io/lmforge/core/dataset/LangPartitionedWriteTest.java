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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
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
            // one read of every file (a Spark job per file took half a minute): a file's rows come back in
            // the order they are stored, so each file's doc_ids are checked in that order
            Map<String, List<String>> idsByFile = new LinkedHashMap<>();
            for (Row r : spark.read().parquet(out.toString()).select(col("doc_id"), input_file_name()).collectAsList()) {
                idsByFile.computeIfAbsent(r.getString(1), f -> new ArrayList<>()).add(r.getString(0));
            }
            long rows = 0;
            for (Map.Entry<String, List<String>> e : idsByFile.entrySet()) {
                List<String> sorted = new ArrayList<>(e.getValue());
                sorted.sort(null);
                assertEquals(sorted, e.getValue(), e.getKey() + " is sorted by doc_id");
                rows += sorted.size();
            }
            int files = parquetFiles(out).size();
            assertEquals(files, idsByFile.size(), "every file read");
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
