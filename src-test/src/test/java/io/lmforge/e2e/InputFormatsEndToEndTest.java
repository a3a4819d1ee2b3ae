package io.lmforge.e2e;

import com.github.luben.zstd.ZstdOutputStream;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parquet, JSONL.zst and WARC (HTML) inputs through the whole ingest stage in one chunk. */
class InputFormatsEndToEndTest {

    @Test
    void parquetZstdAndWarcInputsBecomeDocsWithStableIdsAndMetadata() throws Exception {
        Path in = SharedSpark.tempDir("formats");
        String[] en = Files.readString(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/gnome-help-en.txt"))
                .split("\n\n");
        String[] fr = Files.readString(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/gnome-help-fr.txt"))
                .split("\n\n");
        // Parquet with the text field, a URL field, an int and a nested column (kept as JSON in metadata) and a null text
        SparkSession spark = SharedSpark.get();
        StructType schema = new StructType().add("content", DataTypes.StringType).add("link", DataTypes.StringType)
                .add("rank", DataTypes.IntegerType).add("tags", DataTypes.createArrayType(DataTypes.StringType));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rows.add(RowFactory.create(en[i + 2], "https://example.org/en/" + i, i, List.of("help", "en")));
        }
        rows.add(RowFactory.create(null, "https://example.org/null", 9, List.of()));
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(in.resolve("pq").toString());
        try (var files = Files.list(in.resolve("pq"))) {
            for (Path p : files.toList()) {
                if (!p.toString().endsWith(".parquet")) {
                    Files.delete(p);
                }
            }
        }
        // JSONL compressed with zstd, using the same field names
        try (OutputStream o = new ZstdOutputStream(Files.newOutputStream(in.resolve("fr.jsonl.zst")))) {
            for (int i = 0; i < 4; i++) {
                o.write(("{\"content\": " + json(fr[i + 2]) + ", \"link\": \"https://example.org/fr/" + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        // a WARC response with an HTML page
        StringBuilder html = new StringBuilder("<html><head><title>Aide</title></head><body>");
        for (int i = 6; i < 9; i++) {
            html.append("<p>").append(fr[i].replace("<", "&lt;")).append("</p>");
        }
        byte[] body = html.append("</body></html>").toString().getBytes(StandardCharsets.UTF_8);
        byte[] http = concat(("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8), body);
        String warcHead = "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/fr/page\r\nWARC-Date: 2026-11-01T00:00:00Z\r\n"
                + "WARC-Record-ID: <urn:uuid:6e2b5a3c-0c1d-4f5e-9a8b-7c6d5e4f3a2b>\r\nContent-Type: application/http; msgtype=response\r\n"
                + "Content-Length: " + http.length + "\r\n\r\n";
        Files.write(in.resolve("page.warc"), concat(warcHead.getBytes(StandardCharsets.UTF_8), http, "\r\n\r\n".getBytes(StandardCharsets.UTF_8)));

        Path root = SharedSpark.tempDir("formats-root");
        Cli.Run r = Cli.run("ingest", "--chunk", "fmt", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + in + "\"]",
                "--set", "ingest.input.text-field=content", "--set", "ingest.input.url-field=link", "--set", "ingest.filters.enabled=false");
        assertEquals(0, r.status(), r.err());
        DatasetLayout layout = new DatasetLayout(root.toString());
        Dataset<Row> docs = Datasets.readChunk(spark, layout, "docs", "fmt");
        assertEquals(5, docs.filter(col("url").startsWith("https://example.org/en/")).count(), "parquet rows");
        assertEquals(4, docs.filter(col("url").startsWith("https://example.org/fr/").and(col("url").notEqual("https://example.org/fr/page"))).count(), "zstd JSONL");
        Row page = docs.filter(col("url").equalTo("https://example.org/fr/page")).first();
        assertEquals("fr", page.getAs("lang"));
        assertTrue(page.<String>getAs("text").split("\n").length >= 3, "paragraphs become lines: " + page.getAs("text"));
        Row pq = docs.filter(col("url").equalTo("https://example.org/en/2")).first();
        Map<String, String> meta = scala.collection.JavaConverters.mapAsJavaMap(pq.getMap(pq.fieldIndex("metadata")));
        assertEquals("2", meta.get("rank"));
        assertEquals("[\"help\",\"en\"]", meta.get("tags"));
        assertEquals(2L, pq.<Long>getAs("offset"), "row index is the Parquet offset");
        Dataset<Row> rejected = Datasets.readChunk(spark, layout, "rejected", "fmt");
        assertEquals(1, rejected.filter(col("reason").equalTo("missing_text_field")).count(), "the null text row is quarantined");
    }

    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}
