package io.lmforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.tokenize.bpe.BpeEncoder;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import io.lmforge.tokenize.train.BpeTrainer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `bin/bench tokenizer [--vocab N]`: on the sample's plain text (98 language varieties), in one run:
 * our BPE training (Spark local[2]) vs HF tokenizers' BpeTrainer (same pre-tokenizer, same vocab,
 * 2 threads); single-thread encode MB/s, ours vs HF on the same texts with the same tokenizer.json
 * (after checking both give identical ids); bytes per token per language, natural (alpha 1) vs
 * balanced (alpha 0.3) training text.
 */
public final class TokenizerBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("(?:gnome-help|oldi-seed|ud)-(.+)\\.txt");

    private TokenizerBench() {
    }

    record Doc(String lang, String text) {
    }

    public static void main(String[] args) throws Exception {
        int vocab = 8192;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--vocab")) {
                vocab = Integer.parseInt(args[++i]);
            }
        }
        File home = new File(System.getProperty("lmforge.home", "."));
        List<Doc> docs = readDocs(new File(home, "data/sample/chunk-0002/text"));
        long bytes = docs.stream().mapToLong(d -> d.text().getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf(Locale.ROOT, "corpus: %,d docs, %.1f MB, %d language varieties (data/sample/chunk-0002/text)%n",
                docs.size(), bytes / 1e6, docs.stream().map(Doc::lang).distinct().count());
        Path dir = Files.createTempDirectory("bench-tok");
        String python = run(home, "bin/python-env", "tokenizers").trim();

        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench-tokenizer").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        List<Row> rows = new ArrayList<>();
        for (Doc d : docs) {
            rows.add(RowFactory.create(d.lang(), d.text()));
        }
        Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("lang", DataTypes.StringType).add("text", DataTypes.StringType)).cache();
        df.count();
        new BpeTrainer().setVocabSize(1000).fit(df); // warm-up (JIT, Spark)
        long t0 = System.nanoTime();
        BpeTrainer trainer = new BpeTrainer().setVocabSize(vocab);
        BpeTokenizer balanced = trainer.fit(df).tokenizer();
        double oursTrain = (System.nanoTime() - t0) / 1e9;
        BpeTrainer.Stats st = trainer.lastStats();
        BpeTokenizer natural = new BpeTrainer().setVocabSize(vocab).setAlpha(1.0).fit(df).tokenizer();
        spark.stop();

        Path tokJson = dir.resolve("tokenizer.json");
        Files.writeString(tokJson, HfTokenizerJson.write(balanced));
        Path corpus = dir.resolve("corpus.txt");
        StringBuilder sb = new StringBuilder();
        for (Doc d : docs) {
            sb.append(d.text()).append('\n');
        }
        Files.writeString(corpus, sb);
        JsonNode hfTrain = JSON.readTree(runPython(home, python, Map.of("RAYON_NUM_THREADS", "2"), "train-bench", tokJson.toString(), corpus.toString(),
                String.valueOf(vocab)));
        System.out.printf(Locale.ROOT, "%nBPE training, vocab %d (ours balances languages, HF counts words as they come):%n", vocab);
        System.out.printf(Locale.ROOT, "  ours, Spark local[2]       %6.1f s  (Spark word/pair counting %.1f s, %,d merges on the driver %.1f s)%n",
                oursTrain, st.sparkSeconds(), st.merges(), st.mergeSeconds());
        System.out.printf(Locale.ROOT, "  HF BpeTrainer, 2 threads   %6.1f s%n", hfTrain.get("seconds").asDouble());
        System.out.printf(Locale.ROOT, "  ratio (HF time / ours)     %6.2f%n", hfTrain.get("seconds").asDouble() / oursTrain);

        // encode: parity first, so both sides do the same work
        Path texts = dir.resolve("texts.jsonl");
        StringBuilder jl = new StringBuilder();
        BpeEncoder enc = balanced.newEncoder();
        for (Doc d : docs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("text", d.text());
            m.put("ids", enc.encode(d.text()));
            jl.append(JSON.writeValueAsString(m)).append('\n');
        }
        Files.writeString(texts, jl);
        JsonNode parity = JSON.readTree(runPython(home, python, Map.of(), "check", tokJson.toString(), texts.toString()));
        System.out.printf(Locale.ROOT, "%nparity with HF on the corpus: %d docs, %,d tokens, %d docs with other ids, %d decode differences%n",
                parity.get("cases").asInt(), parity.get("tokens").asLong(), parity.get("mismatches").asInt(), parity.get("decode_mismatches").asInt());
        double oursBest = Double.MAX_VALUE;
        for (int rep = 0; rep < 4; rep++) {
            BpeEncoder e = balanced.newEncoder(); // a fresh encoder each round: its piece cache starts cold, like HF's
            long s = System.nanoTime();
            long n = 0;
            for (Doc d : docs) {
                n += e.encode(d.text()).length;
            }
            double sec = (System.nanoTime() - s) / 1e9;
            if (rep > 0) {
                oursBest = Math.min(oursBest, sec);
            }
        }
        JsonNode hf = JSON.readTree(runPython(home, python, Map.of(), "bench", tokJson.toString(), texts.toString()));
        double oursMbs = bytes / 1e6 / oursBest;
        System.out.printf(Locale.ROOT, "encode, 1 thread, same texts and tokenizer.json:%n");
        System.out.printf(Locale.ROOT, "  ours                       %6.2f MB/s%n", oursMbs);
        System.out.printf(Locale.ROOT, "  HF tokenizers %s      %6.2f MB/s%n", "0.21.1", hf.get("mb_per_s").asDouble());
        System.out.printf(Locale.ROOT, "  ratio (ours / HF)          %6.2f%n", oursMbs / hf.get("mb_per_s").asDouble());

        // bytes per token per language: natural vs balanced training text
        Map<String, long[]> per = new TreeMap<>();
        BpeEncoder nat = natural.newEncoder();
        for (Doc d : docs) {
            long[] a = per.computeIfAbsent(d.lang(), k -> new long[3]);
            a[0] += d.text().getBytes(StandardCharsets.UTF_8).length;
            a[1] += nat.encodeOrdinary(d.text()).length;
            a[2] += enc.encodeOrdinary(d.text()).length;
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(per.entrySet());
        sorted.sort((x, y) -> Long.compare(x.getValue()[0], y.getValue()[0]));
        System.out.printf(Locale.ROOT, "%nbytes per token, tokenizer trained on natural (alpha 1) vs balanced (alpha 0.3) text:%n");
        System.out.println("  lang            bytes   natural  balanced");
        long[] tot = new long[3];
        int better = 0;
        for (Map.Entry<String, long[]> e : sorted) {
            long[] a = e.getValue();
            for (int k = 0; k < 3; k++) {
                tot[k] += a[k];
            }
            better += a[2] < a[1] ? 1 : 0;
            System.out.printf(Locale.ROOT, "  %-12s %9d %9.2f %9.2f%n", e.getKey(), a[0], (double) a[0] / a[1], (double) a[0] / a[2]);
        }
        System.out.printf(Locale.ROOT, "  %-12s %9d %9.2f %9.2f   (%d of %d languages get longer tokens with balancing)%n", "all", tot[0],
                (double) tot[0] / tot[1], (double) tot[0] / tot[2], better, per.size());
    }

    static List<Doc> readDocs(File dir) throws Exception {
        File[] files = dir.listFiles((d, n) -> n.endsWith(".txt"));
        Arrays.sort(files);
        List<Doc> out = new ArrayList<>();
        for (File f : files) {
            Matcher m = NAME.matcher(f.getName());
            String lang = m.matches() ? m.group(1) : f.getName();
            List<String> lines = Files.readAllLines(f.toPath(), StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i += 8) {
                out.add(new Doc(lang, String.join("\n", lines.subList(i, Math.min(lines.size(), i + 8)))));
            }
        }
        return out;
    }

    static String runPython(File home, String python, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, new File(home, "python/hf_tokenizers.py").getPath()));
        cmd.addAll(List.of(args));
        return runEnv(home, env, cmd.toArray(new String[0]));
    }

    static String run(File home, String... cmd) throws Exception {
        String[] c = cmd.clone();
        c[0] = new File(home, cmd[0]).getPath();
        return runEnv(home, Map.of(), c);
    }

    static String runEnv(File home, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", cmd));
        }
        String[] lines = out.trim().split("\n");
        return lines[lines.length - 1];
    }
}
