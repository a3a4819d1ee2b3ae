package io.lmforge.bench;

import io.lmforge.core.cli.PipelineMain;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.testing.Fixtures;
import io.lmforge.core.ids.StableId;
import io.lmforge.dedup.minhash.LshBands;
import io.lmforge.dedup.minhash.MinHasher;
import io.lmforge.dedup.shingle.Shingler;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * `bin/bench dedup [--mb N]`:
 * (1) quality: real sample documents and edited copies at known Jaccard levels (0.5-1.0, exact
 *     Jaccard of word 5-gram shingles as ground truth), decided by the stage's rule (a shared LSH
 *     band and estimated Jaccard >= threshold); precision and recall per script family;
 * (2) speed: signatures per core on one thread, and the whole dedup stage on N MB of documents
 *     (Spark local[2]) against a baseline measured in the same run: exact-only dedup in plain Spark.
 */
public final class DedupBench {
    static final Map<String, String[]> FAMILIES = new LinkedHashMap<>();
    static {
        FAMILIES.put("Latin", new String[]{"gnome-help-de", "gnome-help-fr", "gnome-help-es", "gnome-help-pl", "gnome-help-vi", "oldi-seed-lij_Latn"});
        FAMILIES.put("Cyrillic", new String[]{"gnome-help-ru", "gnome-help-uk", "gnome-help-sr", "ud-kk"});
        FAMILIES.put("Greek", new String[]{"gnome-help-el"});
        FAMILIES.put("CJK", new String[]{"gnome-help-zh", "gnome-help-ja", "ud-ja", "ud-zh"});
        FAMILIES.put("Hangul", new String[]{"gnome-help-ko"});
        FAMILIES.put("Thai", new String[]{"ud-th"});
        FAMILIES.put("Arabic script", new String[]{"ud-ar", "ud-fa", "oldi-seed-arz_Arab", "oldi-seed-pbt_Arab"});
        FAMILIES.put("Indic", new String[]{"gnome-help-ta", "gnome-help-mr", "gnome-help-gu", "oldi-seed-bho_Deva"});
    }

    private DedupBench() {
    }

    public static void main(String[] args) throws Exception {
        int mb = 200;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--mb")) {
                mb = Integer.parseInt(args[++i]);
            }
        }
        Path text = new File(System.getProperty("lmforge.home", ".")).toPath().resolve("data/sample/chunk-0002/text");
        int bands = 14;
        int rows = 8;
        double threshold = 0.75;
        Shingler shingler = new Shingler(Shingler.Kind.WORD, 5);
        MinHasher hasher = new MinHasher(bands * rows, 1);
        Random rnd = new Random(42);
        double[] rates = {0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12};

        System.out.printf(Locale.ROOT, "quality: word 5-grams, %d bands x %d rows, verify >= %.2f; ground truth = exact shingle Jaccard%n", bands, rows, threshold);
        System.out.printf(Locale.ROOT, "%-14s %6s %9s %12s %14s %12s %8s%n", "script", "pairs", "precision", "recall J>=.85", "recall .75-.85", "FP J<.75", "J range");
        int[] total = new int[6];
        for (Map.Entry<String, String[]> fam : FAMILIES.entrySet()) {
            int[] c = new int[6]; // tp, fp, pos85, hit85, posMid, hitMid
            double minJ = 1;
            int pairs = 0;
            for (String f : fam.getValue()) {
                List<String> docs = docs(text.resolve(f + ".txt"));
                for (String d : docs) {
                    long[] sa = shingler.shingles(d);
                    long[] siga = hasher.signature(sa);
                    for (double r : rates) {
                        String e = mutate(d, r, docs, rnd);
                        long[] sb = shingler.shingles(e);
                        double j = io.lmforge.dedup.shingle.Shingler.jaccard(sa, sb);
                        long[] sigb = hasher.signature(sb);
                        boolean predicted = shareBand(siga, sigb, bands, rows) && MinHasher.estimatedJaccard(siga, sigb) >= threshold;
                        tally(c, j, predicted, threshold);
                        minJ = Math.min(minJ, j);
                        pairs++;
                    }
                }
                for (int i = 0; i + 1 < docs.size(); i++) { // unrelated documents of the same language
                    long[] sa = shingler.shingles(docs.get(i));
                    long[] sb = shingler.shingles(docs.get(i + 1));
                    long[] siga = hasher.signature(sa);
                    long[] sigb = hasher.signature(sb);
                    tally(c, io.lmforge.dedup.shingle.Shingler.jaccard(sa, sb), shareBand(siga, sigb, bands, rows) && MinHasher.estimatedJaccard(siga, sigb) >= threshold, threshold);
                    pairs++;
                }
            }
            for (int i = 0; i < 6; i++) {
                total[i] += c[i];
            }
            print(fam.getKey(), pairs, c, String.format(Locale.ROOT, "%.2f-1", Math.max(0, minJ)));
        }
        print("all", -1, total, "");

        // speed: signatures on one thread
        List<String> all = new ArrayList<>();
        try (var files = Files.list(text)) {
            for (Path f : files.sorted().toList()) {
                all.addAll(docs(f));
            }
        }
        long bytes = 0;
        long t = System.nanoTime();
        int n = 0;
        for (int rep = 0; rep < 3; rep++) {
            for (String d : all) {
                LshBands.keys(hasher.signature(shingler.shingles(d)), bands, rows);
                bytes += d.getBytes(StandardCharsets.UTF_8).length;
                n++;
            }
        }
        double s = (System.nanoTime() - t) / 1e9;
        System.out.printf(Locale.ROOT, "%nsignatures + band keys, 1 thread: %,.0f docs/s, %.2f MB/s per core (%,d docs)%n", n / s, bytes / 1e6 / s, n);

        // speed: the whole stage on N MB of near-duplicate-rich documents, and plain exact dedup as the baseline
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench-dedup").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "16").config("spark.sql.sources.partitionColumnTypeInference.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        Path root = Files.createTempDirectory("lmforge-bench-dedup");
        DatasetLayout layout = new DatasetLayout(root.toString());
        StructType schema = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType).add("text", DataTypes.StringType);
        long[] totals = new long[2]; // docs, bytes
        int megabytes = mb;
        Fixtures.commit(spark, layout, "ingest", "bench", layout.docs("bench"),
                staged -> generate(spark, all, megabytes, rnd, schema, staged.toString(), totals), Map.of(), Lineage.NONE);
        System.out.printf(Locale.ROOT, "%nstage input: %,d docs, %.1f MB (docs/chunk=bench)%n", totals[0], totals[1] / 1e6);

        t = System.nanoTime();
        long distinct = spark.read().parquet(layout.docs("bench").toString()).groupBy(functions.xxhash64(functions.lower(functions.col("text"))))
                .count().count();
        double baselineS = (System.nanoTime() - t) / 1e9;
        t = System.nanoTime();
        int rc = PipelineMain.run(new String[]{"dedup", "--chunk", "bench", "--root", root.toString(), "--set", "pipeline.progress-interval-s=30"},
                System.out, System.err, false);
        double stageS = (System.nanoTime() - t) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("dedup failed with status " + rc);
        }
        long docsIn = spark.read().parquet(layout.docs("bench").toString()).count();
        System.out.printf(Locale.ROOT, "%nwhole dedup stage, local[2], max heap %d MB: %.1f s, %,.0f docs/s (%,.0f docs/s per core), %.2f MB/s per core%n",
                Runtime.getRuntime().maxMemory() >> 20, stageS, docsIn / stageS, docsIn / stageS / 2, totals[1] / 1e6 / stageS / 2);
        System.out.printf(Locale.ROOT, "baseline: exact-only dedup in plain Spark (groupBy xxhash64(lower(text))): %.1f s (%,d distinct)%n", baselineS, distinct);
        System.out.printf(Locale.ROOT, "ratio: dedup stage throughput / exact-only baseline = %.3f%n", baselineS / stageS);
        spark.stop();
    }

    static void tally(int[] c, double j, boolean predicted, double threshold) {
        if (predicted) {
            c[j >= threshold ? 0 : 1]++;
        }
        if (j >= 0.85) {
            c[2]++;
            c[3] += predicted ? 1 : 0;
        } else if (j >= threshold) {
            c[4]++;
            c[5] += predicted ? 1 : 0;
        }
    }

    static void print(String name, int pairs, int[] c, String range) {
        System.out.printf(Locale.ROOT, "%-14s %6s %9.3f %12s %14s %12d %8s%n", name, pairs < 0 ? "" : String.valueOf(pairs),
                c[0] / (double) Math.max(1, c[0] + c[1]), String.format(Locale.ROOT, "%.3f (%d)", c[3] / (double) Math.max(1, c[2]), c[2]),
                String.format(Locale.ROOT, "%.3f (%d)", c[5] / (double) Math.max(1, c[4]), c[4]), c[1], range);
    }

    static List<String> docs(Path f) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (String d : Files.readString(f, StandardCharsets.UTF_8).split("\n\\s*\n")) {
            if (d.strip().length() >= 300) {
                out.add(d.strip());
            }
        }
        return out;
    }

    /** Each token (a whitespace word, or 2 characters in scripts without spaces) is deleted, replaced or followed by an insertion with probability rate. */
    static String mutate(String d, double rate, List<String> pool, Random rnd) {
        boolean spaced = d.chars().filter(ch -> ch == ' ').count() > d.length() / 20;
        List<String> tokens = new ArrayList<>();
        if (spaced) {
            tokens.addAll(List.of(d.split(" ")));
        } else {
            for (int i = 0; i < d.length(); i += 2) {
                tokens.add(d.substring(i, Math.min(d.length(), i + 2)));
            }
        }
        String other = pool.get(rnd.nextInt(pool.size()));
        List<String> out = new ArrayList<>();
        for (String tok : tokens) {
            double u = rnd.nextDouble();
            if (u < rate / 3) {
                continue;
            }
            if (u < 2 * rate / 3) {
                out.add(randomToken(other, spaced, rnd));
                continue;
            }
            out.add(tok);
            if (u < rate) {
                out.add(randomToken(other, spaced, rnd));
            }
        }
        return String.join(spaced ? " " : "", out);
    }

    private static String randomToken(String other, boolean spaced, Random rnd) {
        if (spaced) {
            String[] w = other.split(" ");
            return w[rnd.nextInt(w.length)];
        }
        int i = rnd.nextInt(Math.max(1, other.length() - 2));
        return other.substring(i, Math.min(other.length(), i + 2));
    }

    static boolean shareBand(long[] a, long[] b, int bands, int rows) {
        long[] ka = LshBands.keys(a, bands, rows);
        long[] kb = LshBands.keys(b, bands, rows);
        for (int i = 0; i < bands; i++) {
            if (ka[i] == kb[i]) {
                return true;
            }
        }
        return false;
    }


    /** Writes near-duplicate-rich documents (every third an edited copy) until mb MB; totals = {docs, bytes}. */
    private static void generate(SparkSession spark, List<String> all, long mb, Random rnd, StructType schema, String staged,
                                 long[] totals) {
        List<Row> rowsOut = new ArrayList<>();
        int copy = 0;
        while (totals[1] < mb * 1_000_000L) {
            for (String d : all) {
                // every third copy is an edited near-duplicate, the rest are new documents (a heavy mutation)
                String doc = copy % 3 == 0 ? mutate(d, 0.02, all, rnd) : mutate(d, 0.6, all, rnd);
                rowsOut.add(RowFactory.create(StableId.docId("bench", totals[0]++), "xx", doc));
                totals[1] += doc.getBytes(StandardCharsets.UTF_8).length;
            }
            copy++;
            if (rowsOut.size() > 20_000 || totals[1] >= mb * 1_000_000L) { // in batches: the generator must not need the heap the stage is measured with
                // the columns ingest writes (DatasetSchemas.DOCS, which dedup conforms to): the ones not generated are null
                Fixtures.padTo(spark.createDataFrame(rowsOut, schema), io.lmforge.core.dataset.DatasetSchemas.DOCS).repartition(2).write()
                        .mode("append").partitionBy("lang").parquet(staged);
                rowsOut.clear();
            }
        }
    }
}
