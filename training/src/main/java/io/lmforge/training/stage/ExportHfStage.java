package io.lmforge.training.stage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.ModelHeader;
import io.lmforge.core.dataset.RunCheckpoints;
import io.lmforge.core.dataset.TokenizerHeader;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.training.export.HfGpt2Export;
import io.lmforge.training.model.ModelFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `export-hf --chunk ID [--out DIR]`: the run's checkpoint of chunk ID as a Hugging Face GPT-2
 * directory. The directory is committed like every output: a new or empty DIR, or one an earlier
 * export-hf wrote (replaced atomically); anything else is refused, never deleted.
 */
public final class ExportHfStage extends DatasetStage<ExportHfStage.Plan> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StageSpec SPEC = StageSpec.of("export-hf",
                    "write a checkpoint as a Hugging Face GPT2LMHeadModel directory (config.json, model.safetensors, tokenizer files)")
            .perChunk()
            .reads("models/<train.run>/chunk=ID/ (model.zip, training_state.json), tokenizer/<its version>/")
            .writes("--out DIR (export.out; default <root>/export/<run>/chunk=ID): config.json, model.safetensors,",
                    "tokenizer.json, tokenizer_config.json, special_tokens_map.json (+ _MANIFEST.json)")
            .config("export", "train.run")
            .notes("Load with transformers: GPT2LMHeadModel.from_pretrained(DIR), AutoTokenizer.from_pretrained(DIR).\n"
                    + "DIR must be new, empty, or an earlier export-hf output: anything else is refused (exit 2).")
            .build();

    record Plan(RunCheckpoints ckpts, ModelHeader header) {
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    @Override
    public List<String> scope(StageContext ctx) {
        return List.of(DatasetLayout.checkName(ctx.config().getString("train.run"), "train.run"), ctx.chunk());
    }

    @Override
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        String chunk = ctx.chunk();
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        RunCheckpoints ckpts = new RunCheckpoints(fs, layout, ctx.config().getString("train.run"));
        StagePlan<Plan> plan = new StagePlan<>(fs);
        Manifest m = plan.input("checkpoint", ckpts.chunkDir(chunk), "run train --chunk " + chunk + " first");
        if (m.count("trained") != 1) {
            throw new ConfigError("no trained checkpoint for chunk " + chunk + " in " + ckpts.runDir()
                    + " (the schedule deferred this chunk: " + m.counts().get("reason") + ")");
        }
        ModelHeader header = ckpts.header(chunk);
        if (!"gpt2".equals(header.architectureOrGpt2())) {
            throw new ConfigError("export-hf: the checkpoint of chunk " + chunk + " is a " + header.architectureOrGpt2()
                    + " model, which Hugging Face's GPT-2 config cannot express (NormFormer's extra LayerNorms and scales, experts: no place"
                    + " there); eval reads it directly");
        }
        plan.input("tokenizer", layout.tokenizer(header.tokenizerVersion()), "the checkpoint's tokenizer");
        String outConf = ctx.config().getString("export.out");
        Path out = outConf.isBlank() ? layout.export(ckpts.run(), chunk) : new Path(outConf);
        return plan.payload(new Plan(ckpts, header)).output("export", out);
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        String chunk = run.chunk();
        FileSystem fs = run.fs();
        ModelHeader header = run.payload().header();
        TokenizerHeader tok = TokenizerHeader.read(fs, run.layout(), header.tokenizerVersion());
        ComputationGraph net = ModelFiles.load(fs, run.payload().ckpts().modelFile(chunk));
        java.nio.file.Path local = Files.createTempDirectory("lmforge-export");
        try {
            HfGpt2Export.write(net, tok.eosId(), local);
            Files.writeString(local.resolve(TokenizerHeader.TOKENIZER_JSON), tok.json());
            Files.writeString(local.resolve(TokenizerHeader.TOKENIZER_CONFIG), tok.configJson());
            Files.writeString(local.resolve("special_tokens_map.json"), JSON.writeValueAsString(Map.of(
                    "bos_token", tok.bosToken(), "eos_token", tok.eosToken(), "pad_token", tok.padToken())));
            Path staged = run.staged("export");
            FileSystem outFs = staged.getFileSystem(run.spark().sparkContext().hadoopConfiguration());
            outFs.mkdirs(staged);
            Map<String, Object> counts = new LinkedHashMap<>();
            try (var files = Files.list(local)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    counts.put(f.getFileName().toString(), Files.size(f));
                    outFs.copyFromLocalFile(true, true, new Path(f.toUri()), new Path(staged, f.getFileName().toString()));
                }
            }
            return new Computed(Map.of("files", counts, "step", header.step(), "parameters", header.parameters()),
                    new Lineage(null, header.tokenizerVersion(), header.seqLen()),
                    String.format(Locale.ROOT, "step %d, tokenizer %s -> %s", header.step(), header.tokenizerVersion(), run.output("export")));
        } finally {
            try (var left = Files.walk(local)) {
                left.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); // our own temporary directory
            }
        }
    }
}
