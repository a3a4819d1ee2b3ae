package io.lmforge.tokenize.stage;

import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.TokenizerHeader;
import io.lmforge.core.progress.ProgressReporter;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.tokenize.shards.MegatronShardWriter;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * `export-shards --chunk ID`: the chunk's mixed, packed training sequences (exactly what the train stage
 * reads, in seq_id order) for trainers outside the JVM: Megatron-style indexed shards (Megatron-LM,
 * GPT-NeoX, nanotron) and Parquet that Hugging Face `datasets` loads. One directory per chunk, so the
 * chunks that arrived so far are the union of their directories (Megatron's blended --data-path, a glob
 * for `datasets`).
 */
public final class ExportShardsStage extends DatasetStage<ExportShardsStage.Plan> {
    public static final String NAME = "export-shards";
    static final StructType HF_SCHEMA = new StructType().add("seq_id", DataTypes.LongType).add("input_ids",
            DataTypes.createArrayType(DataTypes.IntegerType, false));
    private static final StageSpec SPEC = StageSpec.of(NAME,
                    "write a chunk's packed training sequences as Megatron indexed shards (.bin/.idx) and Hugging Face datasets Parquet")
            .perChunk()
            .reads("mix/chunk=ID/train/ (packed sequences of mix.seq-len + 1 tokens), tokenizer/<its version>/ (vocabulary size)")
            .writes("shards/chunk=ID/megatron/tokens.bin + tokens.idx   one document per sequence; uint16 ids below 65,500, else int32",
                    "shards/chunk=ID/hf/*.parquet   seq_id (long), input_ids (list<int32>)")
            .notes("""
                    Megatron: --data-path <root>/shards/chunk=ID/megatron/tokens (one prefix per chunk, weights to blend them).
                    Hugging Face: datasets.load_dataset("parquet", data_files="<root>/shards/chunk=*/hf/*.parquet", split="train").""")
            .build();

    record Plan(String tokenizerVersion, int vocabSize, long sequences) {
    }

    @Override
    public org.apache.hadoop.fs.Path committedOutput(StageContext ctx, String chunk) {
        return ctx.layout().shards(chunk);
    }

    /** A chunk that kept no document before any tokenizer existed has no mix to export. */
    @Override
    public String passOver(StageContext ctx, org.apache.hadoop.fs.FileSystem fs) throws java.io.IOException {
        return passOverChunkBeforeTokenizer(ctx, fs);
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    @Override
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        String chunk = ctx.chunk();
        FileSystem fs = ctx.fs();
        StagePlan<Plan> plan = new StagePlan<>(fs);
        Manifest mix = plan.input("mix", ctx.layout().mix(chunk), "run mix --chunk " + chunk + " first");
        String version = mix.lineageOrNone().requireTokenizer("mix chunk " + chunk);
        plan.input("tokenizer", ctx.layout().tokenizer(version), "the mix's tokenizer");
        int vocab = TokenizerHeader.read(fs, ctx.layout(), version).vocabSize();
        return plan.payload(new Plan(version, vocab, mix.count("sequences"))).output("shards", ctx.layout().shards(chunk));
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        Plan p = run.payload();
        Path staged = run.staged("shards");
        run.fs().mkdirs(staged);
        Dataset<Row> seqs = Datasets.hasDataFiles(run.spark(), run.layout().mixTrain(run.chunk()))
                ? run.spark().read().parquet(run.layout().mixTrain(run.chunk()).toString()).select(col("seq_id"), col("tokens").as("input_ids"))
                : run.spark().createDataFrame(List.of(), HF_SCHEMA);
        seqs = seqs.orderBy("seq_id").cache();
        MegatronShardWriter.DType dtype = MegatronShardWriter.DType.forVocabulary(p.vocabSize());
        try (ProgressReporter ignored = run.progress(() -> String.format(Locale.ROOT, "%,d sequences", p.sequences()))) {
            run.phase("hf");
            seqs.coalesce(1).write().parquet(new Path(staged, "hf").toString());
            run.phase("megatron");
            run.fs().mkdirs(new Path(staged, "megatron"));
            try (MegatronShardWriter w = new MegatronShardWriter(run.fs(), new Path(new Path(staged, "megatron"), "tokens"), dtype)) {
                for (Iterator<Row> it = seqs.toLocalIterator(); it.hasNext(); ) {
                    List<Integer> ids = it.next().getList(1);
                    w.add(ids.stream().mapToInt(Integer::intValue).toArray());
                }
                seqs.unpersist();
                Map<String, Object> counts = new LinkedHashMap<>();
                counts.put("sequences", (long) w.sequences());
                counts.put("tokens", w.tokens());
                counts.put("megatron_dtype", dtype.name().toLowerCase(Locale.ROOT));
                return new Computed(counts, new Lineage(null, p.tokenizerVersion(), null), String.format(Locale.ROOT,
                        "%,d sequences, %,d tokens (%s) -> %s", w.sequences(), w.tokens(), counts.get("megatron_dtype"), run.layout().shards(run.chunk())));
            }
        }
    }
}
