package io.lmforge.ingest.read;

import io.lmforge.core.testing.SharedSpark;
import io.lmforge.ingest.SampleText;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordReadersTest {
    private static final ReadOptions OPTS = new ReadOptions("text", "url", 1 << 20);

    static List<RawRecord> readAll(Path p, InputFormat f, ReadOptions o) throws IOException {
        InputFile file = new InputFile(p.toUri().toString(), p.getFileName().toString(), f, Files.size(p), 0);
        List<RawRecord> out = new ArrayList<>();
        Iterator<RawRecord> it = RecordReaders.open(file, o, new Configuration());
        it.forEachRemaining(out::add);
        return out;
    }

    static Map<String, Integer> reasons(List<RawRecord> rs) {
        Map<String, Integer> m = new TreeMap<>();
        rs.forEach(r -> m.merge(r.error() == null ? "ok" : r.error(), 1, Integer::sum));
        return m;
    }

    @Test
    void jsonlGzKeepsTextUrlAndOtherFieldsAsMetadata() throws IOException {
        List<RawRecord> rs = readAll(SampleText.sampleDir().resolve("chunk-0001/ud.jsonl.gz"), InputFormat.JSONL, OPTS);
        assertTrue(rs.size() > 1000, "records: " + rs.size());
        RawRecord first = rs.get(0);
        assertNull(first.error());
        assertTrue(first.url().startsWith("https://"), first.url());
        assertEquals("ud", first.metadata().get("source_dataset"));
        assertTrue(first.metadata().containsKey("source_lang"));
        assertEquals(0, first.offset());
        assertTrue(rs.get(1).offset() > 0, "offsets are byte positions in the decompressed stream");
    }

    @Test
    void plainTextSplitsOnBlankLines() throws IOException {
        Path p = SampleText.sampleDir().resolve("chunk-0002/text/gnome-help-fr.txt");
        List<RawRecord> rs = readAll(p, InputFormat.TEXT, OPTS);
        assertEquals(SampleText.docs("gnome-help", "fr").size(), rs.size());
        assertEquals(SampleText.docs("gnome-help", "fr").get(2), rs.get(2).text());
    }

    @Test
    void wetConversionRecordsBecomeDocumentsWithUrlAndLanguageHeader() throws IOException {
        List<RawRecord> rs = readAll(SampleText.sampleDir().resolve("chunk-0003/sample-0003.warc.wet.gz"), InputFormat.WET, OPTS);
        assertTrue(rs.size() > 1000);
        assertTrue(rs.stream().allMatch(r -> r.error() == null), reasons(rs).toString());
        assertNotNull(rs.get(0).metadata().get("warc_content_language"));
        assertTrue(rs.get(0).url().startsWith("https://"));
    }

    @Test
    void warcResponsesAreTurnedIntoTextAndNonHtmlIsQuarantined() throws IOException {
        Path dir = SharedSpark.tempDir("warc");
        Path warc = dir.resolve("x.warc");
        String html = "<html><head><title>T</title><script>var x=1;</script></head><body><p>Erster Absatz.</p><p>Zweiter Absatz.</p></body></html>";
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        String http = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] png = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 4\r\n\r\n\u0089PNG".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(warc, concat(warcRecord("response", "https://example.org/de", concat(http.getBytes(StandardCharsets.UTF_8), body)),
                warcRecord("response", "https://example.org/logo.png", png), warcRecord("request", "https://example.org/de", "GET / HTTP/1.1\r\n\r\n".getBytes())));
        List<RawRecord> rs = readAll(warc, InputFormat.WARC, OPTS);
        assertEquals(2, rs.size(), "request records are not documents");
        assertEquals("https://example.org/de", rs.get(0).url());
        String text = rs.get(0).text();
        assertTrue(text.contains("Erster Absatz.") && text.contains("Zweiter Absatz.") && !text.contains("var x"), text);
        assertEquals("non_text_content", rs.get(1).error());

        Path xz = dir.resolve("x.warc.xz"); // compressions other than gzip are undone before the WARC reader
        try (var out = new org.apache.commons.compress.compressors.xz.XZCompressorOutputStream(Files.newOutputStream(xz))) {
            out.write(Files.readAllBytes(warc));
        }
        assertEquals(rs.stream().map(r -> r.url() + " " + r.error() + " " + r.text()).toList(),
                readAll(xz, InputFormat.fromFileName(xz.getFileName().toString()), OPTS).stream().map(r -> r.url() + " " + r.error() + " " + r.text()).toList());
    }

    @Test
    void badInputBecomesQuarantineRecordsWithReasons() throws IOException {
        Path bad = SampleText.sampleDir().resolve("chunk-0001/bad");
        Map<String, Integer> mixed = reasons(readAll(bad.resolve("mixed-bad.jsonl"), InputFormat.JSONL, OPTS));
        assertEquals(Map.of("ok", 3, "malformed_json", 2, "invalid_utf8", 1, "missing_text_field", 2), mixed);

        List<RawRecord> trunc = readAll(bad.resolve("truncated.jsonl.gz"), InputFormat.JSONL, OPTS);
        RawRecord last = trunc.get(trunc.size() - 1);
        assertEquals("truncated_file", last.error());
        assertTrue(last.detail().contains("after " + (trunc.size() - 1) + " records"), last.detail());
        assertTrue(trunc.size() > 3);

        assertEquals(0, readAll(bad.resolve("empty.jsonl"), InputFormat.JSONL, OPTS).size());
        List<RawRecord> notGz = readAll(bad.resolve("not-really.jsonl.gz"), InputFormat.JSONL, OPTS);
        assertEquals(1, notGz.size());
        assertEquals("unreadable_file", notGz.get(0).error());
        assertTrue(reasons(readAll(bad.resolve("binary-garbage.jsonl"), InputFormat.JSONL, OPTS)).keySet().stream()
                .allMatch(k -> k.equals("invalid_utf8") || k.equals("malformed_json")));
    }

    @Test
    void concatenatedObjectsAndLoneSurrogatesAreRejectedNotSilentlyCut() throws IOException {
        Path f = SharedSpark.tempDir("jsonl-hostile").resolve("h.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"text\": \"a\"}{\"text\": \"b\"}",                 // two objects on one line: not "a" kept and "b" dropped
                "{\"text\": \"half \\ud800 a pair\"}",                  // an escaped lone high surrogate
                "{\"text\": \"pair \\ud83d\\ude00 fine\"}",          // an escaped surrogate pair: one emoji
                "{\"text\": \"ok\", \"meta\": {\"k\": \"x\\udc00\"}}", // a lone low surrogate in nested metadata
                "{\"text\": \"ok\"} 7") + "\n");                          // a trailing value after the object
        List<RawRecord> rs = readAll(f, InputFormat.JSONL, OPTS);
        assertEquals(5, rs.size(), "one row per line, whatever it holds");
        assertEquals("malformed_json", rs.get(0).error());
        assertTrue(rs.get(0).detail().contains("more than one JSON value"), rs.get(0).detail());
        assertEquals("invalid_unicode", rs.get(1).error());
        assertTrue(rs.get(1).detail().contains("\\ud800"), rs.get(1).detail());
        assertEquals(null, rs.get(2).error());
        assertEquals("pair \ud83d\ude00 fine", rs.get(2).text());
        assertEquals("invalid_unicode", rs.get(3).error());
        assertTrue(rs.get(3).detail().contains("field 'meta'"), rs.get(3).detail());
        assertEquals("malformed_json", rs.get(4).error());
    }

    @Test
    void aTextFieldThatIsNotAStringSaysWhatItIs() throws IOException {
        Path f = SharedSpark.tempDir("jsonl-kinds").resolve("k.jsonl");
        Files.writeString(f, String.join("\n", "{\"text\": null}", "{\"body\": \"x\"}", "{\"text\": 1e999999}",
                "{\"text\": [\"a\"]}", "{\"text\": {\"a\": 1}}", "{\"text\": false}") + "\n");
        List<String> details = readAll(f, InputFormat.JSONL, OPTS).stream().map(r -> r.error() + ": " + r.detail()).toList();
        assertEquals(List.of("missing_text_field: field 'text' is null, not a string",
                "missing_text_field: no field 'text' (ingest.input.text-field)",
                "missing_text_field: field 'text' is number, not a string",
                "missing_text_field: field 'text' is array, not a string",
                "missing_text_field: field 'text' is object, not a string",
                "missing_text_field: field 'text' is boolean, not a string"), details);
    }

    @Test
    void aZstFileThatIsNotZstdIsUnreadableAndACutOneIsTruncated() throws IOException {
        compressedFiles("zst", "zstd", 5000, com.github.luben.zstd.ZstdOutputStream::new); // 128 KB blocks
    }

    @Test
    void bzip2AndXzFilesAreReadLikeGzipAndZstd() throws IOException {
        compressedFiles("bz2", "bzip2", 5000, out -> new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(out, 1)); // 100 KB blocks
        // XZ for Java decodes an LZMA2 chunk (up to 64 KB compressed) only once it has all of it: more records, so a cut leaves whole chunks
        compressedFiles("xz", "xz", 20000, org.apache.commons.compress.compressors.xz.XZCompressorOutputStream::new);
    }

    private interface Compressor {
        java.io.OutputStream wrap(java.io.OutputStream out) throws IOException;
    }

    /**
     * A file named .SUFFIX that is not compressed is unreadable_file; a whole one gives every record, two
     * compressed streams one after the other give both (pbzip2, concatenated files); one cut at two thirds
     * gives the records before the cut and a truncated_file row that counts them.
     */
    private static void compressedFiles(String suffix, String format, int records, Compressor compressor) throws IOException {
        Path dir = SharedSpark.tempDir(suffix);
        Files.writeString(dir.resolve("plain.jsonl." + suffix), "{\"text\": \"not compressed at all\"}\n");
        List<RawRecord> plain = readAll(dir.resolve("plain.jsonl." + suffix), InputFormat.JSONL, OPTS);
        assertEquals(1, plain.size());
        assertEquals("unreadable_file", plain.get(0).error());
        assertTrue(plain.get(0).detail().contains("not in " + format + " format"), plain.get(0).detail());

        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        try (var out = compressor.wrap(z)) {
            java.util.Random rnd = new java.util.Random(3); // several blocks, so a cut leaves whole ones readable
            for (int i = 0; i < records; i++) {
                out.write(("{\"text\": \"record " + i + " " + Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong()) + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] whole = z.toByteArray();
        Files.write(dir.resolve("whole.jsonl." + suffix), whole);
        assertEquals(Map.of("ok", records), reasons(readAll(dir.resolve("whole.jsonl." + suffix), InputFormat.JSONL, OPTS)));
        java.io.ByteArrayOutputStream two = new java.io.ByteArrayOutputStream();
        for (String text : List.of("first", "second")) {
            try (var out = compressor.wrap(two)) {
                out.write(("{\"text\": \"" + text + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Files.write(dir.resolve("two.jsonl." + suffix), two.toByteArray());
        assertEquals(List.of("first", "second"), readAll(dir.resolve("two.jsonl." + suffix), InputFormat.JSONL, OPTS).stream().map(RawRecord::text).toList());
        Files.write(dir.resolve("cut.jsonl." + suffix), java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
        List<RawRecord> cut = readAll(dir.resolve("cut.jsonl." + suffix), InputFormat.JSONL, OPTS);
        RawRecord last = cut.get(cut.size() - 1);
        assertEquals("truncated_file", last.error(), suffix + ": " + reasons(cut));
        assertTrue(last.detail().contains("after " + (cut.size() - 1) + " records"), last.detail());
        assertTrue(cut.size() - 1 > records / 5 && cut.size() - 1 < records, suffix + ": records before the cut: " + (cut.size() - 1));
    }

    @Test
    void oversizedRecordKeepsAPrefixWithoutBufferingTheWholeLine() throws IOException {
        Path dir = SharedSpark.tempDir("big");
        File f = dir.resolve("big.jsonl").toFile();
        StringBuilder sb = new StringBuilder("{\"text\": \"");
        sb.append("x".repeat(3 << 20)).append("\"}\n{\"text\": \"small\"}\n");
        Files.writeString(f.toPath(), sb);
        List<RawRecord> rs = readAll(f.toPath(), InputFormat.JSONL, new ReadOptions("text", "url", 1 << 20));
        assertEquals("record_too_large", rs.get(0).error());
        assertEquals(1 << 20, rs.get(0).rawBytes().length);
        assertEquals("small", rs.get(1).text());
    }

    static byte[] warcRecord(String type, String uri, byte[] block) {
        String contentType = type.equals("response") ? "application/http; msgtype=response" : "application/http; msgtype=request";
        String h = "WARC/1.0\r\nWARC-Type: " + type + "\r\nWARC-Target-URI: " + uri + "\r\nWARC-Date: 2026-11-01T00:00:00Z\r\n"
                + "WARC-Record-ID: <urn:uuid:" + java.util.UUID.nameUUIDFromBytes((type + uri).getBytes()) + ">\r\n"
                + "Content-Type: " + contentType + "\r\nContent-Length: " + block.length + "\r\n\r\n";
        return concat(h.getBytes(StandardCharsets.UTF_8), block, "\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}
