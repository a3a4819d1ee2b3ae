package io.lmforge.bench;

import io.lmforge.core.cli.PipelineMain;
import io.lmforge.ingest.langid.LanguageDetector;
import io.lmforge.ingest.langid.LanguageIdentifier;
import io.lmforge.ingest.normalize.TextNormalization;
import io.lmforge.ingest.pii.PiiScrubber;
import io.lmforge.ingest.quality.QualitySignalCalculator;
import io.lmforge.ingest.read.InputFile;
import io.lmforge.ingest.read.InputFormat;
import io.lmforge.ingest.read.RawRecord;
import io.lmforge.ingest.read.ReadOptions;
import io.lmforge.ingest.read.RecordReaders;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * `bin/bench ingest [--mb N]`: replicates the shipped sample to N MB (default 200) of JSONL and
 * measures (1) each step alone on one thread (read, normalise, lang-ID, signals, PII), (2) the
 * whole ingest stage on Spark local[2], (3) write alone, and prints the stage against a baseline
 * measured in the same run: Spark's own JSON source reading the same files.
 */
public final class IngestBench {
    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        int mb = 200;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--mb")) {
                mb = Integer.parseInt(args[++i]);
            }
        }
        File repo = new File(System.getProperty("lmforge.home", "."));
        Path work = Files.createTempDirectory("lmforge-bench-ingest");
        Path input = work.resolve("input");
        Files.createDirectories(input);
        long bytes = replicate(repo.toPath().resolve("data/sample"), input, mb * 1_000_000L);
        List<Path> files = new ArrayList<>();
        try (var s = Files.list(input)) {
            s.sorted().forEach(files::add);
        }
        System.out.printf(Locale.ROOT, "input: %d JSONL files, %.1f MB (sample replicated)%n", files.size(), bytes / 1e6);

        // 1. steps alone, one thread, on the first files (at least 40 MB)
        List<String> texts = new ArrayList<>();
        long stepBytes = 0;
        long t = System.nanoTime();
        int records = 0;
        ReadOptions ro = new ReadOptions("text", "url", 8 << 20);
        for (Path f : files) {
            InputFile in = new InputFile(f.toUri().toString(), f.getFileName().toString(), InputFormat.JSONL, Files.size(f), 0);
            Iterator<RawRecord> it = RecordReaders.open(in, ro, new Configuration());
            while (it.hasNext()) {
                RawRecord r = it.next();
                records++;
                if (r.text() != null) {
                    texts.add(r.text());
                }
            }
            stepBytes += Files.size(f);
            if (stepBytes > 40_000_000L) {
                break;
            }
        }
        double readS = (System.nanoTime() - t) / 1e9;
        System.out.println();
        System.out.println("per step, 1 thread (docs/s and MB/s per core):");
        report("read (JSONL parse + UTF-8 check)", records, stepBytes, readS);
        long textBytes = texts.stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();

        List<String> normalized = new ArrayList<>(texts.size());
        t = System.nanoTime();
        for (String s : texts) {
            normalized.add(TextNormalization.normalize(s, TextNormalization.Form.NFC));
        }
        report("normalise (NFC, controls, whitespace)", texts.size(), textBytes, (System.nanoTime() - t) / 1e9);

        int cores = 2;
        SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("bench-ingest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8")
                .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        LanguageDetector opennlp = LanguageIdentifier.create("opennlp", 2000);
        opennlp.detect("warm up the model");
        t = System.nanoTime();
        for (String s : normalized) {
            opennlp.detect(s);
        }
        report("lang-ID (OpenNLP langdetect-183)", texts.size(), textBytes, (System.nanoTime() - t) / 1e9);
        LanguageDetector det = io.lmforge.ingest.langid.LangIdModelStore.load(spark, repo.toPath().resolve("data/models/langid").toString());
        det.detect("warm up the model");
        List<String> langs = new ArrayList<>(texts.size());
        t = System.nanoTime();
        for (String s : normalized) {
            langs.add(det.detect(s).lang());
        }
        report("lang-ID (lmforge model, the default)", texts.size(), textBytes, (System.nanoTime() - t) / 1e9);

        QualitySignalCalculator calc = new QualitySignalCalculator(true);
        t = System.nanoTime();
        for (int i = 0; i < normalized.size(); i++) {
            calc.compute(normalized.get(i), langs.get(i));
        }
        report("quality signals (ICU words, Gopher/C4/FineWeb)", texts.size(), textBytes, (System.nanoTime() - t) / 1e9);

        PiiScrubber pii = new PiiScrubber(new PiiScrubber.Options(true, true, true, "US", "E", "I", "P"));
        t = System.nanoTime();
        for (String s : normalized) {
            pii.scrub(s);
        }
        report("PII (e-mail, IP, phone)", texts.size(), textBytes, (System.nanoTime() - t) / 1e9);
        texts.clear();
        normalized.clear();

        // 2. the whole stage on Spark local[2], and the baseline: Spark's JSON source over the same files
        t = System.nanoTime();
        long baseline = spark.read().json(input.toString()).count();
        double baselineS = (System.nanoTime() - t) / 1e9;

        Path root = work.resolve("root");
        t = System.nanoTime();
        int rc = PipelineMain.run(new String[]{"ingest", "--chunk", "bench", "--root", root.toString(),
                "--set", "ingest.input.paths=[\"" + input + "\"]", "--set", "ingest.input.repartition=" + (cores * 4),
                "--set", "pipeline.progress-interval-s=30"}, System.out, System.err, false);
        double stageS = (System.nanoTime() - t) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("ingest failed with status " + rc);
        }
        Dataset<Row> docs = spark.read().parquet(root.resolve("docs/chunk=bench").toString()).cache();
        long kept = docs.count();
        t = System.nanoTime();
        docs.write().option("compression", "zstd").parquet(work.resolve("rewrite").toString());
        double writeS = (System.nanoTime() - t) / 1e9;
        long keptBytes = dirSize(root.resolve("docs/chunk=bench"));

        System.out.println();
        System.out.printf(Locale.ROOT, "whole ingest stage, Spark local[%d]:%n", cores);
        report("ingest (all steps + Parquet write)", baseline, bytes, stageS * cores);
        report("write alone (Parquet zstd, kept docs)", kept, keptBytes, writeS * cores);
        report("baseline: spark.read().json().count()", baseline, bytes, baselineS * cores);
        System.out.printf(Locale.ROOT, "%nratio: ingest stage throughput / Spark JSON scan = %.3f (%.1f s vs %.1f s for %.0f MB)%n",
                baselineS / stageS, stageS, baselineS, bytes / 1e6);
        spark.stop();
        deleteTree(work);
    }

    private static void report(String step, long docs, long bytes, double coreSeconds) {
        System.out.printf(Locale.ROOT, "  %-48s %,10.0f docs/s  %7.2f MB/s   (%,d docs, %.1f MB, %.1f core-s)%n",
                step, docs / coreSeconds, bytes / 1e6 / coreSeconds, docs, bytes / 1e6, coreSeconds);
    }

    /** Copies of the sample's chunk-0001 JSONL records (bad files excluded) into ~25 MB files until target bytes. */
    static long replicate(Path sample, Path out, long target) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String name : new String[]{"ud", "gnome-help", "oldi-seed"}) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(sample.resolve("chunk-0001/" + name + ".jsonl.gz")))) {
                for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!l.isBlank()) {
                        lines.add(l);
                    }
                }
            }
        }
        long written = 0;
        int file = 0;
        int copy = 0;
        while (written < target) {
            Path p = out.resolve(String.format(Locale.ROOT, "part-%03d.jsonl", file++));
            long inFile = 0;
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(p), StandardCharsets.UTF_8), 1 << 20)) {
                while (inFile < 25_000_000L && written + inFile < target) {
                    for (String l : lines) {
                        String rec = l.replaceFirst("\\{", "{\"copy\": " + copy + ", ");
                        w.write(rec);
                        w.write('\n');
                        inFile += rec.getBytes(StandardCharsets.UTF_8).length + 1;
                    }
                    copy++;
                }
            }
            written += inFile;
        }
        return written;
    }

    private static long dirSize(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

}
