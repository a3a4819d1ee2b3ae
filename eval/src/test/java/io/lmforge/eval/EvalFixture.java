package io.lmforge.eval;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.ModelHeader;
import io.lmforge.core.testing.Fixtures;
import io.lmforge.core.testing.SharedSpark;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import io.lmforge.training.model.Gpt2Model;
import io.lmforge.training.model.WarmupCosineSchedule;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A dataset root with what eval reads (the mix stage's held-out schema), built from real sample text: a byte-level tokenizer
 * (no merges: 256 bytes + 2 specials), mix/chunk=0001/heldout for fr, ru, zh, and checkpoints of
 * a tiny GPT-2 (context 32) - "untrained" (initial weights) and "trained" (a few hundred steps on
 * the same languages' other sentences).
 */
public final class EvalFixture {
    public static final int SEQ = 32;
    public static final String TOKENIZER = "bytes-v1";
    public static final List<String> LANGS = List.of("fr", "ru", "zh");

    private EvalFixture() {
    }

    public static BpeTokenizer byteTokenizer() {
        return BpeTokenizer.bytesOnly("<|endoftext|>", "<|pad|>");
    }

    public static Path build(String name) throws Exception {
        return build(name, SEQ);
    }

    /** With another context length (the harness refuses continuations longer than the context). */
    public static Path build(String name, int seq) throws Exception {
        Path root = SharedSpark.tempDir(name);
        BpeTokenizer tok = byteTokenizer();
        DatasetLayout layout = new DatasetLayout(root.toString());
        Fixtures.commit(SharedSpark.get(), layout, "tokenizer-train", null, layout.tokenizer(TOKENIZER), staged -> {
            Path tokDir = Path.of(staged.toString());
            Files.createDirectories(tokDir);
            Files.writeString(tokDir.resolve("tokenizer.json"), HfTokenizerJson.write(tok));
            Files.writeString(tokDir.resolve("tokenizer_config.json"), "{\"eos_token\":\"<|endoftext|>\",\"bos_token\":\"<|endoftext|>\",\"pad_token\":\"<|pad|>\"}");
        }, Map.of(), new Lineage(null, TOKENIZER, null));
        Fixtures.arrive(SharedSpark.get(), layout, "0001");

        List<Row> heldout = new ArrayList<>();
        List<int[]> trainSeqs = new ArrayList<>();
        var enc = tok.newEncoder();
        for (String lang : LANGS) {
            List<String> lines = Files.readAllLines(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/ud-" + lang + ".txt"), StandardCharsets.UTF_8);
            for (int d = 0; d < 8; d++) { // 8 held-out documents of 4 sentences
                String text = String.join("\n", lines.subList(d * 4, d * 4 + 4));
                int[] ids = enc.encode(text);
                List<Integer> boxed = new ArrayList<>();
                for (int id : ids) {
                    boxed.add(id);
                }
                heldout.add(RowFactory.create(lang + "-" + d, lang, text.getBytes(StandardCharsets.UTF_8).length, ids.length, boxed));
            }
            int[] rest = enc.encode(String.join("\n", lines.subList(40, lines.size())));
            for (int s = 0; s + seq + 1 <= rest.length && s < 300 * seq; s += seq) {
                trainSeqs.add(java.util.Arrays.copyOfRange(rest, s, s + seq + 1));
            }
        }
        List<Row> train = new ArrayList<>();
        for (int i = 0; i < trainSeqs.size(); i++) {
            List<Integer> t = new ArrayList<>();
            for (int v : trainSeqs.get(i)) {
                t.add(v);
            }
            train.add(RowFactory.create((long) i, t));
        }
        Fixtures.commit(SharedSpark.get(), layout, "mix", "0001", layout.mix("0001"), staged -> {
            SharedSpark.get().createDataFrame(heldout, new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
                            .add("n_bytes", DataTypes.IntegerType).add("n_tokens", DataTypes.IntegerType)
                            .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false)))
                    .write().partitionBy("lang").parquet(new org.apache.hadoop.fs.Path(staged, "heldout").toString());
            SharedSpark.get().createDataFrame(train, io.lmforge.core.dataset.DatasetSchemas.SEQUENCES)
                    .write().parquet(new org.apache.hadoop.fs.Path(staged, "train").toString());
        }, Map.of(), new Lineage(null, TOKENIZER, seq));

        ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(258, seq, 32, 2, 1),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(3e-3, 10, 0, 0.1), 0.9, 0.95, 1e-8, 0.0, 1.0), 7);
        checkpoint(root, "untrained", net, 0, seq);
        java.util.Collections.shuffle(trainSeqs, new java.util.Random(1));
        long steps = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int b = 0; b + 16 <= trainSeqs.size(); b += 16) {
                MultiDataSet batch = io.lmforge.training.data.SequenceBatches.toBatch(trainSeqs.subList(b, b + 16));
                net.fit(batch);
                steps++;
            }
        }
        checkpoint(root, "trained", net, steps, seq);
        return root;
    }

    private static void checkpoint(Path root, String run, ComputationGraph net, long steps, int seq) throws Exception {
        DatasetLayout layout = new DatasetLayout(root.toString());
        Fixtures.commit(SharedSpark.get(), layout, "train", "0001", layout.model(run, "0001"), staged -> {
            Path dir = Path.of(staged.toString());
            Files.createDirectories(dir);
            ModelSerializer.writeModel(net, dir.resolve("model.zip").toFile(), true);
            Files.writeString(dir.resolve("training_state.json"), new ModelHeader(steps, steps * 16 * seq, List.of("0001"), null, 7, 0, List.of(),
                    TOKENIZER, seq, 258, net.numParams(), "gpt2").toJson());
        }, Map.of("trained", 1), new Lineage(1L, TOKENIZER, seq));
    }
}
