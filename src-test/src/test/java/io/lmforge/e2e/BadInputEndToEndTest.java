package io.lmforge.e2e;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A chunk of hostile input: the job finishes, every bad record is quarantined with a reason, counts add up. */
class BadInputEndToEndTest {

    @Test
    void hostileChunkFinishesAndAccountsForEveryRecord() throws Exception {
        Path in = SharedSpark.tempDir("hostile");
        String good = Files.readString(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/gnome-help-en.txt"))
                .split("\n\n")[3].replace("\"", "'").replace("\n", "\\n");
        // 1. broken JSON lines among good ones
        Files.writeString(in.resolve("broken.jsonl"), "{\"text\": \"" + good + "\"}\n{\"text\": \"no end\n{not json at all}\n{\"text\": \"" + good + " Again.\"}\n");
        // 2. invalid UTF-8 (a lone continuation byte, an overlong encoding)
        Files.write(in.resolve("latin1.jsonl"), concat("{\"text\": \"ok ".getBytes(), new byte[]{(byte) 0x80, (byte) 0xC0, (byte) 0xAF}, "\"}\n".getBytes()));
        // 3. a truncated .gz: 200 records, cut in half
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            for (int i = 0; i < 200; i++) {
                o.write(("{\"text\": \"" + good + " " + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] full = gz.toByteArray();
        Files.write(in.resolve("cut.jsonl.gz"), java.util.Arrays.copyOf(full, full.length / 2));
        // 4. an empty file, 5. binary garbage
        Files.write(in.resolve("empty.jsonl"), new byte[0]);
        byte[] garbage = new byte[5000];
        new Random(7).nextBytes(garbage);
        Files.write(in.resolve("garbage.txt"), garbage);
        // 6. a document in a script no known language uses (Cherokee): not guessed
        Files.writeString(in.resolve("cherokee.txt"), "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ᎠᏍᎦᏯ ᎠᏓᏅᏙ ᎤᏬᏗ ᎣᏍᏛ ᏚᎾᏙᏢᏒ ᎠᏂᏴᏫᏯ ᏗᎦᏃᏣᎵᏍᎬ\n");
        // 7. a 50 MB single-line document
        try (OutputStream o = Files.newOutputStream(in.resolve("huge.jsonl"))) {
            o.write("{\"text\": \"".getBytes());
            byte[] block = "Lorem ipsum without end. ".repeat(4000).getBytes();
            for (long written = 0; written < 50L << 20; written += block.length) {
                o.write(block);
            }
            o.write("\"}\n".getBytes());
        }

        Path root = SharedSpark.tempDir("hostile-root");
        Cli.Run r = Cli.run("ingest", "--chunk", "bad-1", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + in + "\"]");
        assertEquals(0, r.status(), r.err());

        SparkSession spark = SharedSpark.get();
        DatasetLayout layout = new DatasetLayout(root.toString());
        Manifest m = Manifests.read(layout.fs(spark.sparkContext().hadoopConfiguration()), layout.docs("bad-1"));
        Map<String, Long> reasons = new TreeMap<>();
        for (Row row : Datasets.readChunk(spark, layout, "rejected", "bad-1").groupBy("reason").count().collectAsList()) {
            reasons.put(row.getString(0), row.getLong(1));
        }
        long kept = Datasets.readChunk(spark, layout, "docs", "bad-1").count();
        long rejected = reasons.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(m.count("records_in"), kept + rejected, "records in = kept + rejected: " + reasons);
        assertEquals(2, reasons.get("malformed_json"), "an unterminated string and a non-JSON line: " + reasons);
        assertEquals(1, reasons.get("truncated_file"), reasons.toString());
        assertEquals(1, reasons.get("record_too_large"), reasons.toString());
        assertEquals(1, reasons.get("lang_unknown_script"), reasons.toString());
        assertTrue(reasons.get("invalid_utf8") >= 2, "latin1 line + garbage: " + reasons);
        Row cut = Datasets.readChunk(spark, layout, "rejected", "bad-1").filter(col("reason").equalTo("truncated_file")).first();
        String detail = cut.getAs("detail");
        long readBeforeCut = Long.parseLong(detail.replaceAll(".*after (\\d+) records.*", "$1"));
        assertTrue(readBeforeCut > 20 && readBeforeCut < 200, detail);
        Row huge = Datasets.readChunk(spark, layout, "rejected", "bad-1").filter(col("reason").equalTo("record_too_large")).first();
        assertTrue(huge.<String>getAs("detail").contains("exceeds ingest.input.max-record-bytes"), huge.<String>getAs("detail"));
        @SuppressWarnings("unchecked")
        Map<String, Object> byLang = (Map<String, Object>) m.counts().get("by_lang");
        assertTrue(byLang.containsKey("und"), "read errors are counted without a language");
        assertTrue(m.inputs().stream().anyMatch(i -> String.valueOf(i.get("path")).endsWith("empty.jsonl") && ((Number) i.get("records")).longValue() == 0),
                "the empty file is listed with 0 records");
    }

    /** One corrupt or wrong-typed Parquet file is quarantined per file; the chunk's other files are read. */
    @Test
    void aBadParquetFileIsQuarantinedNotFatal() throws Exception {
        SparkSession spark = SharedSpark.get();
        Path in = SharedSpark.tempDir("parquet-bad");
        String good = Files.readString(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/gnome-help-en.txt")).split("\n\n")[3];
        org.apache.spark.sql.types.StructType text = new org.apache.spark.sql.types.StructType().add("text", "string").add("n", "int");
        spark.createDataFrame(java.util.List.of(org.apache.spark.sql.RowFactory.create(good, 1), org.apache.spark.sql.RowFactory.create(good + " More.", 2)), text)
                .coalesce(1).write().parquet(in.resolve("good").toString());
        org.apache.spark.sql.types.StructType numeric = new org.apache.spark.sql.types.StructType().add("text", "int");
        spark.createDataFrame(java.util.List.of(org.apache.spark.sql.RowFactory.create(7)), numeric).coalesce(1).write()
                .parquet(in.resolve("wrong-type").toString());
        Path part;
        try (java.util.stream.Stream<Path> parts = Files.list(in.resolve("good"))) {
            part = parts.filter(x -> x.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        byte[] whole = Files.readAllBytes(part);
        Files.write(in.resolve("cut.parquet"), java.util.Arrays.copyOf(whole, whole.length / 2)); // no footer
        long pageRows = pageCorruptParquet(spark, in.resolve("page-corrupt.parquet"), good);
        Path root = SharedSpark.tempDir("parquet-bad-root");
        Cli.Run r = Cli.run("ingest", "--chunk", "pq-1", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + in + "\"]");
        assertEquals(0, r.status(), r.err());
        DatasetLayout layout = new DatasetLayout(root.toString());
        Map<String, Long> reasons = new TreeMap<>();
        for (Row row : Datasets.readChunk(spark, layout, "rejected", "pq-1").groupBy("reason").count().collectAsList()) {
            reasons.put(row.getString(0), row.getLong(1));
        }
        assertEquals(2L, reasons.get("unreadable_file"), "the cut file and the damaged-page file: " + reasons);
        assertEquals(1L, reasons.get("missing_text_field"), reasons.toString());
        Row cut = Datasets.readChunk(spark, layout, "rejected", "pq-1").filter(col("reason").equalTo("unreadable_file")
                .and(col("source").endsWith("cut.parquet"))).first();
        assertTrue(cut.<String>getAs("source").endsWith("cut.parquet") && cut.<String>getAs("detail").contains("not a readable Parquet file"),
                cut.toString());
        Row wrong = Datasets.readChunk(spark, layout, "rejected", "pq-1").filter(col("reason").equalTo("missing_text_field")).first();
        assertTrue(wrong.<String>getAs("detail").contains("not a string"), wrong.toString());
        // the file with an intact footer and a damaged data page: the rows before the damage are read, the rest is one counted record
        Row page = Datasets.readChunk(spark, layout, "rejected", "pq-1").filter(col("source").endsWith("page-corrupt.parquet")
                .and(col("reason").equalTo("unreadable_file"))).first();
        java.util.regex.Matcher n = java.util.regex.Pattern.compile("a data page could not be decoded: ([\\d,]+) of the ([\\d,]+) rows")
                .matcher(page.<String>getAs("detail"));
        assertTrue(n.find(), page.toString());
        long read = Long.parseLong(n.group(1).replace(",", ""));
        assertEquals(pageRows, Long.parseLong(n.group(2).replace(",", "")));
        assertTrue(read > 0 && read < pageRows, "some rows before the damaged page were read: " + read);
        long fromPage = Datasets.readChunk(spark, layout, "docs", "pq-1").filter(col("source").endsWith("page-corrupt.parquet")).count()
                + Datasets.readChunk(spark, layout, "rejected", "pq-1").filter(col("source").endsWith("page-corrupt.parquet")).count();
        assertEquals(read + 1, fromPage, "every row read, plus the one record for the rows lost");
        Manifest m = Manifests.read(layout.fs(spark.sparkContext().hadoopConfiguration()), layout.docs("pq-1"));
        assertEquals(4L + read + 1, ((Number) m.counts().get("records_in")).longValue(),
                "2 rows of the good file + 1 row per bad file + what the damaged file gave: " + m.counts());
    }

    /**
     * A Parquet file of many small row groups (snappy, page checksums written) whose bytes are overwritten in the middle
     * of its data, footer intact: readable up to the damaged page. Returns the rows its footer declares.
     */
    private static long pageCorruptParquet(SparkSession spark, Path target, String text) throws IOException {
        Path dir = SharedSpark.tempDir("parquet-pages");
        java.util.List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            rows.add(org.apache.spark.sql.RowFactory.create(text + " Paragraph " + i + " of the manual, revision " + (i * 7919 % 1000) + "."));
        }
        spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType().add("text", "string")).coalesce(1).write()
                .option("parquet.block.size", 32768).option("compression", "snappy").mode("overwrite").parquet(dir.toString());
        Path part;
        try (java.util.stream.Stream<Path> parts = Files.list(dir)) {
            part = parts.filter(x -> x.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(part);
        int footer = java.nio.ByteBuffer.wrap(b, b.length - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        int from = (b.length - footer - 8) / 2;
        for (int i = from; i < from + 512; i++) {
            b[i] = (byte) 0xA5;
        }
        Files.write(target, b);
        return rows.size();
    }

    static byte[] concat(byte[]... parts) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.write(p);
        }
        return o.toByteArray();
    }
}
