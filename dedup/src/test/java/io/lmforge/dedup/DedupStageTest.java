package io.lmforge.dedup;

import io.lmforge.core.cli.PipelineMain;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.ChunkRegistry;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DedupStageTest {
    /** Long real documents in several scripts. */
    static final String[][] SOURCES = {{"gnome-help", "de"}, {"gnome-help", "ru"}, {"gnome-help", "el"}, {"gnome-help", "ko"},
            {"gnome-help", "ja"}, {"gnome-help", "zh"}, {"gnome-help", "ta"}, {"ud", "th"}, {"oldi-seed", "arz_Arab"}};

    static List<String> longDocs(String source, String lang, int n) {
        List<String> out = new ArrayList<>();
        for (String d : DedupFixtures.sampleDocs(source, lang)) {
            if (d.length() >= 450 && out.size() < n) {
                out.add(d);
            }
        }
        assertEquals(n, out.size(), source + "/" + lang + " has " + n + " long documents");
        return out;
    }

    /** Small edits a crawl produces: inserted and deleted words, reordered paragraphs, a boilerplate header. */
    static String edit(String text, int kind) {
        int a = text.length() / 3;
        int b = 2 * text.length() / 3;
        return switch (kind % 4) {
            case 0 -> text.substring(0, a) + " 2024 " + text.substring(a, b) + " NEW " + text.substring(b);
            case 1 -> text.substring(0, a) + text.substring(a + 6, b) + text.substring(b + 6);
            case 2 -> {
                String[] lines = text.split("\n");
                if (lines.length < 2) {
                    yield text.substring(b) + "\n" + text.substring(0, b);
                }
                List<String> l = new ArrayList<>(List.of(lines));
                java.util.Collections.reverse(l);
                yield String.join("\n", l);
            }
            default -> "Cookie notice: this site uses cookies to improve your experience.\n" + text;
        };
    }

    static int run(String... args) {
        SharedSpark.get();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = PipelineMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8), false);
        System.out.print(out.toString(StandardCharsets.UTF_8));
        lastOutput = out.toString(StandardCharsets.UTF_8);
        return rc;
    }

    static String lastOutput = "";

    @Test
    void plantedNearDuplicatesInSeveralScriptsAreFoundAndOthersLeftAlone() throws Exception {
        Path root = SharedSpark.tempDir("planted");
        DatasetLayout layout = new DatasetLayout(root.toString());
        List<DedupFixtures.Doc> docs = new ArrayList<>();
        Map<String, String> copyOf = new HashMap<>();
        int k = 0;
        for (String[] s : SOURCES) {
            List<String> originals = longDocs(s[0], s[1], 3);
            for (int i = 0; i < originals.size(); i++) {
                DedupFixtures.Doc orig = DedupFixtures.doc("c1", s[1], i, originals.get(i));
                docs.add(orig);
                if (i < 2) { // two of three get an edited copy; the third must stay untouched
                    DedupFixtures.Doc copy = DedupFixtures.doc("c1", s[1], 100 + i, edit(originals.get(i), k++));
                    docs.add(copy);
                    copyOf.put(copy.docId(), orig.docId());
                }
            }
        }
        DedupFixtures.commitDocs(layout, "0001", docs);
        assertEquals(0, run("dedup", "--chunk", "0001", "--root", root.toString()), lastOutput);

        SparkSession spark = SharedSpark.get();
        Map<String, String> removed = new TreeMap<>();
        for (Row r : Datasets.readChunk(spark, layout, "dedup/duplicates", "0001").collectAsList()) {
            removed.put(r.getAs("doc_id"), r.<String>getAs("duplicate_of"));
            assertEquals("fuzzy", r.getAs("kind"));
            assertTrue(r.<Double>getAs("similarity") >= 0.75, "similarity " + r.getAs("similarity"));
        }
        Map<String, String> textOf = new HashMap<>();
        docs.forEach(d -> textOf.put(d.docId(), d.text()));
        io.lmforge.dedup.shingle.Shingler sh = new io.lmforge.dedup.shingle.Shingler(io.lmforge.dedup.shingle.Shingler.Kind.WORD, 5);
        int found = 0;
        int highJ = 0;
        StringBuilder missed = new StringBuilder();
        for (Map.Entry<String, String> e : copyOf.entrySet()) {
            String copy = e.getKey();
            String orig = e.getValue();
            double j = io.lmforge.dedup.shingle.Shingler.jaccard(sh.shingles(textOf.get(copy)), sh.shingles(textOf.get(orig)));
            boolean linked = orig.equals(removed.get(copy)) || copy.equals(removed.get(orig));
            found += linked ? 1 : 0;
            if (j >= 0.85) {
                highJ++;
                assertTrue(linked, "planted pair with true Jaccard " + j + " must be found");
            } else if (!linked) {
                missed.append(String.format(java.util.Locale.ROOT, " %.2f", j));
            }
        }
        System.out.printf("planted pairs: %d, found %d; %d with J >= 0.85 (all found); missed pairs' J:%s%n", copyOf.size(), found, highJ, missed);
        assertTrue(highJ >= copyOf.size() / 2, "most planted edits are small: " + highJ);
        for (String r : removed.keySet()) {
            assertTrue(copyOf.containsKey(r) || copyOf.containsValue(r), "only planted documents are removed: " + r);
        }
        Dataset<Row> kept = Datasets.readChunk(spark, layout, "dedup/docs", "0001");
        assertEquals(docs.size() - removed.size(), kept.count());
        assertEquals(removed.size(), kept.filter(col("dup_cluster_size").equalTo(2)).count());
        Manifest m = Manifests.read(layout.fs(spark.sparkContext().hadoopConfiguration()), layout.chunkDir("dedup/docs", "0001"));
        assertEquals(docs.size(), m.count("docs_in"));
        assertEquals(m.count("docs_in"), m.count("kept") + m.count("removed", "exact") + m.count("removed", "fuzzy") + m.count("removed", "line"));
    }

    @Test
    void incrementalRunsRemoveTheSameDocumentsAsOneRunOverTheUnion() throws Exception {
        // three arrival chunks with duplicates inside chunks and across them
        List<List<DedupFixtures.Doc>> chunks = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        int k = 0;
        for (String[] s : SOURCES) {
            List<String> d = longDocs(s[0], s[1], 3);
            chunks.get(0).add(DedupFixtures.doc("c1", s[1], 0, d.get(0)));
            chunks.get(0).add(DedupFixtures.doc("c1", s[1], 1, edit(d.get(0), k++)));          // near-dup inside chunk 1
            chunks.get(1).add(DedupFixtures.doc("c2", s[1], 0, d.get(0)));                      // exact re-arrival in chunk 2
            chunks.get(1).add(DedupFixtures.doc("c2", s[1], 1, d.get(1)));
            chunks.get(1).add(DedupFixtures.doc("c2", s[1], 2, d.get(2)));
            chunks.get(2).add(DedupFixtures.doc("c3", s[1], 0, edit(d.get(1), k++)));          // near-dup of a chunk-2 doc
            chunks.get(2).add(DedupFixtures.doc("c3", s[1], 1, edit(edit(d.get(0), 3), 0)));   // near-dup of the chunk-1 cluster
            chunks.get(2).add(DedupFixtures.doc("c3", s[1], 2, d.get(2) + "\nA closing line that makes this copy differ from chunk 2's."));
        }
        Path root = SharedSpark.tempDir("incremental");
        DatasetLayout layout = new DatasetLayout(root.toString());
        Map<String, String> incremental = new TreeMap<>();
        for (int c = 0; c < 3; c++) {
            String id = "000" + (c + 1);
            DedupFixtures.commitDocs(layout, id, chunks.get(c));
            assertEquals(0, run("dedup", "--chunk", id, "--root", root.toString(), "--set", "dedup.line.enabled=false"), lastOutput);
            for (Row r : Datasets.readChunk(SharedSpark.get(), layout, "dedup/duplicates", id).collectAsList()) {
                incremental.put(r.getAs("doc_id"), r.getAs("kind") + "->" + r.getAs("duplicate_of"));
            }
        }
        // the union at once: the same algorithm with each document's arrival number and no history
        Dataset<Row> union = null;
        for (int c = 0; c < 3; c++) {
            Dataset<Row> f = DedupFixtures.frame(chunks.get(c)).withColumn("seq", functions.lit(c + 1));
            union = union == null ? f : union.unionByName(f);
        }
        DedupParams p = DedupParams.from(PipelineConfig.load(null, List.of("dedup.line.enabled=false")));
        Map<Integer, String> chunkOfSeq = Map.of(1, "0001", 2, "0002", 3, "0003");
        DedupOutcome batch = new DedupRun(SharedSpark.get(), p, null, List.of(), 3, chunkOfSeq, System.out).execute(union);
        Map<String, String> once = new TreeMap<>();
        for (Row r : batch.removedWithKeepers().collectAsList()) {
            once.put(r.getAs("doc_id"), r.getAs("kind") + "->" + r.getAs("duplicate_of"));
        }
        assertEquals(once, incremental);
        // connected components as distributed rounds (graphs over dedup.fuzzy.local-components-max-edges) give the same answer
        DedupParams distributed = DedupParams.from(PipelineConfig.load(null, List.of("dedup.line.enabled=false", "dedup.fuzzy.local-components-max-edges=0")));
        Map<String, String> rounds = new TreeMap<>();
        for (Row r : new DedupRun(SharedSpark.get(), distributed, null, List.of(), 3, chunkOfSeq, System.out).execute(union).removedWithKeepers().collectAsList()) {
            rounds.put(r.getAs("doc_id"), r.getAs("kind") + "->" + r.getAs("duplicate_of"));
        }
        assertEquals(once, rounds);
        assertTrue(incremental.size() >= 4 * SOURCES.length, "planted duplicates found: " + incremental.size());
        assertTrue(incremental.values().stream().anyMatch(v -> v.startsWith("exact")), "the exact re-arrival is found");
    }

    @Test
    void aRunWithOtherMinHashParametersThanTheIndexIsRefused() throws Exception {
        Path root = SharedSpark.tempDir("params");
        DatasetLayout layout = new DatasetLayout(root.toString());
        List<DedupFixtures.Doc> docs = new ArrayList<>();
        List<String> de = longDocs("gnome-help", "de", 2);
        docs.add(DedupFixtures.doc("p", "de", 0, de.get(0)));
        DedupFixtures.commitDocs(layout, "0001", docs);
        DedupFixtures.commitDocs(layout, "0002", List.of(DedupFixtures.doc("q", "de", 0, de.get(1))));
        assertEquals(0, run("dedup", "--chunk", "0001", "--root", root.toString()));
        assertEquals(PipelineMain.USAGE, run("dedup", "--chunk", "0002", "--root", root.toString(), "--set", "dedup.fuzzy.bands=20"));
        assertTrue(lastOutput.contains("was built with") && lastOutput.contains("bands=14") && lastOutput.contains("bands=20"), lastOutput);
        assertNull(Manifests.read(layout.fs(SharedSpark.get().sparkContext().hadoopConfiguration()), layout.chunkDir("dedup/docs", "0002")));
        // and a rerun of a committed chunk with the same settings is skipped
        assertEquals(0, run("dedup", "--chunk", "0001", "--root", root.toString()));
        assertTrue(lastOutput.contains("dedup 0001: skipped"), lastOutput);
    }

    @Test
    void aChunkWaitsForTheChunksThatArrivedBeforeItUnlessGapsAreAllowed() throws Exception {
        Path root = SharedSpark.tempDir("arrival");
        DatasetLayout layout = new DatasetLayout(root.toString());
        List<String> fr = longDocs("gnome-help", "fr", 3);
        for (int c = 1; c <= 3; c++) {
            DedupFixtures.commitDocs(layout, "000" + c, List.of(DedupFixtures.doc("a" + c, "fr", 0, fr.get(c - 1))));
        }
        // 0001 and 0002 are ingested and not deduplicated: 0002 (or 0003) first would leave 0001 out of its history for good
        assertEquals(PipelineMain.USAGE, run("dedup", "--chunk", "0002", "--root", root.toString()));
        assertTrue(lastOutput.contains("dedup 0002 must wait for chunk 0001") && lastOutput.contains("--allow-gaps"), lastOutput);
        var fs = layout.fs(SharedSpark.get().sparkContext().hadoopConfiguration());
        assertNull(Manifests.read(fs, layout.dedupDocs("0002")));
        assertEquals(Long.MAX_VALUE, new ChunkRegistry(fs, layout).arrival("0002"), "a refused chunk gets no arrival number");
        assertEquals(0, run("dedup", "--chunk", "0001", "--root", root.toString()), lastOutput);
        // an operator may skip a chunk on purpose: 0003 goes before 0002, which then comes after it
        assertEquals(0, run("dedup", "--chunk", "0003", "--root", root.toString(), "--allow-gaps"), lastOutput);
        assertEquals(List.of("0001", "0003"), new ChunkRegistry(fs, layout).inArrivalOrder());
        assertEquals(0, run("dedup", "--chunk", "0002", "--root", root.toString()), lastOutput);
        assertEquals(List.of("0001", "0003", "0002"), new ChunkRegistry(fs, layout).inArrivalOrder());
    }
}
