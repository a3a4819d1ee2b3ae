package io.lmforge.ingest.read;

import io.lmforge.core.testing.SharedSpark;
import io.lmforge.ingest.SampleText;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated sample files, thousands of records, through every reader (JSONL, text, WET, WARC; plain, .gz,
 * .zst, and damaged .gz/.zst): no exception escapes a reader, every record is either text or a rejection
 * with a reason and a detail, and a file reads the same twice. Seeded: a failure names its mutant.
 */
class ReaderFuzzTest {
    private static final ReadOptions OPTS = new ReadOptions("text", "url", 1 << 16);
    private static final int MUTANTS = 40;

    /** A mutated input file and the format it is read as. */
    record Mutant(Path file, InputFormat format) {
    }

    @Test
    void mutatedInputsBecomeTextOrReasonsNeverExceptions() throws IOException {
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        List<Mutant> mutants = writeMutants(SharedSpark.tempDir("fuzz"), MUTANTS, new Random(20261203), ALL_COMPRESSIONS);
        for (Mutant m : mutants) {
            read(m, outcomes);
        }
        int records = outcomes.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("reader fuzz: %d mutated files, %d records: %s%n", mutants.size(), records, outcomes);
        assertTrue(records > 5000, "thousands of records: " + records);
        assertTrue(outcomes.size() > 4, "the mutants reach several reasons: " + outcomes);
    }

    /**
     * Every compression the readers undo, with the compressed bytes damaged too ("!"); bzip2 and xz damaged only
     * (RecordReadersTest reads them whole, misnamed and cut, and their plain text is the same as the others').
     */
    static final List<String> ALL_COMPRESSIONS = List.of("", ".gz", ".zst", ".gz!", ".zst!", ".bz2!", ".xz!");

    /** {@code mutants} rounds of mutated sample JSONL and text (each compressed as {@code compressions} says), WET and WARC files in {@code dir}. */
    static List<Mutant> writeMutants(Path dir, int mutants, Random rnd, List<String> compressions) throws IOException {
        byte[] jsonl = firstBytes(gunzip(SampleText.sampleDir().resolve("chunk-0001/gnome-help.jsonl.gz")), 120_000);
        byte[] text = firstBytes(Files.readAllBytes(SampleText.sampleDir().resolve("chunk-0002/text/gnome-help-fr.txt")), 120_000);
        byte[] wet = firstBytes(gunzip(SampleText.sampleDir().resolve("chunk-0003/sample-0003.warc.wet.gz")), 200_000);
        byte[] warc = warc();
        List<Mutant> out = new ArrayList<>();
        for (int m = 0; m < mutants; m++) {
            for (String ext : compressions) {
                out.add(write(dir, "jsonl" + m + ext, ".jsonl", InputFormat.JSONL, mutate(jsonl, rnd), ext, rnd));
                out.add(write(dir, "text" + m + ext, ".txt", InputFormat.TEXT, mutate(text, rnd), ext, rnd));
            }
            out.add(write(dir, "wet" + m, ".wet", InputFormat.WET, mutate(wet, rnd), "", rnd));
            out.add(write(dir, "warc" + m, ".warc", InputFormat.WARC, mutate(warc, rnd), "", rnd));
        }
        return out;
    }

    private static Mutant write(Path dir, String name, String suffix, InputFormat format, byte[] plain, String ext, Random rnd) throws IOException {
        boolean damage = ext.endsWith("!");
        String e = damage ? ext.substring(0, ext.length() - 1) : ext;
        byte[] bytes = compress(plain, e);
        if (damage) {
            bytes = mutate(bytes, rnd);
        }
        Path f = dir.resolve(name.replace("!", "-damaged") + suffix + e);
        Files.write(f, bytes);
        return new Mutant(f, format);
    }

    private static void read(Mutant m, TreeMap<String, Integer> outcomes) throws IOException {
        Path f = m.file();
        List<RawRecord> first = assertDoesNotThrow(() -> RecordReadersTest.readAll(f, m.format(), OPTS), f.toString());
        List<RawRecord> second = RecordReadersTest.readAll(f, m.format(), OPTS);
        assertEquals(signature(first), signature(second), "the same result twice: " + f);
        long last = Long.MIN_VALUE;
        for (RawRecord r : first) {
            assertTrue(r.offset() > last, "offsets name records (their doc_id): strictly increasing in " + f + ", " + r.offset() + " after " + last);
            last = r.offset();
            if (r.error() == null) {
                assertTrue(r.text() != null, "a kept record has text: " + f);
            } else {
                assertTrue(r.detail() != null && !r.detail().isBlank(), "a rejection says why: " + f + " " + r.error());
            }
            outcomes.merge(r.error() == null ? "text" : r.error(), 1, Integer::sum);
        }
    }

    private static List<String> signature(List<RawRecord> rs) {
        List<String> s = new ArrayList<>();
        for (RawRecord r : rs) {
            s.add(r.offset() + "|" + r.error() + "|" + (r.text() == null ? "" : r.text().hashCode()) + "|" + r.detail());
        }
        return s;
    }

    /** One to five edits: flipped or random bytes, deleted, duplicated or inserted ranges, JSON/WARC punctuation, a cut. */
    static byte[] mutate(byte[] in, Random rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = in.clone();
        int edits = 1 + rnd.nextInt(5);
        for (int i = 0; i < edits && b.length > 2; i++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[at] = (byte) rnd.nextInt(256);
                case 2 -> b = splice(b, at, Math.min(b.length, at + 1 + rnd.nextInt(50)), new byte[0]);
                case 3 -> b = splice(b, at, at, java.util.Arrays.copyOfRange(b, at, Math.min(b.length, at + 1 + rnd.nextInt(200))));
                case 4 -> {
                    byte[] junk = new byte[1 + rnd.nextInt(20)];
                    rnd.nextBytes(junk);
                    b = splice(b, at, at, junk);
                }
                case 5 -> b = splice(b, at, at, List.of("\n", "{", "\"", "}{", "\r\n\r\n", "\\ud800", "\u0000", "WARC/1.0\r\n")
                        .get(rnd.nextInt(8)).getBytes(StandardCharsets.UTF_8));
                default -> b = java.util.Arrays.copyOf(b, at);
            }
        }
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(b, 0, from);
        o.writeBytes(insert);
        o.write(b, to, b.length - to);
        return o.toByteArray();
    }

    private static byte[] warc() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int i = 0; i < 30; i++) {
            byte[] body = ("<html><body><p>Absatz " + i + " mit etwas Text.</p><p>Noch ein Absatz.</p></body></html>").getBytes(StandardCharsets.UTF_8);
            String http = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + body.length + "\r\n\r\n";
            o.writeBytes(RecordReadersTest.warcRecord("response", "https://example.org/" + i,
                    RecordReadersTest.concat(http.getBytes(StandardCharsets.UTF_8), body)));
        }
        return o.toByteArray();
    }

    private static byte[] firstBytes(byte[] b, int n) {
        return java.util.Arrays.copyOf(b, Math.min(n, b.length));
    }

    private static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readNBytes(1 << 20);
        }
    }

    /** b compressed as the suffix says ("" = as is). */
    private static byte[] compress(byte[] b, String suffix) throws IOException {
        if (suffix.isEmpty()) {
            return b;
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (OutputStream z = switch (suffix) {
            case ".gz" -> new GZIPOutputStream(o);
            case ".zst" -> new com.github.luben.zstd.ZstdOutputStream(o);
            case ".bz2" -> new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(o);
            case ".xz" -> new org.apache.commons.compress.compressors.xz.XZCompressorOutputStream(o, 0); // preset 0: fast
            default -> throw new IllegalArgumentException(suffix);
        }) {
            z.write(b);
        }
        return o.toByteArray();
    }
}
