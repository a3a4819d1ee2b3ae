package io.lmforge.training.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.StageCommit;
import io.lmforge.core.stage.Stage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageResult;
import io.lmforge.training.export.HfGpt2Export;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;

/** `export-hf --chunk ID [--out DIR]`: the run's checkpoint of chunk ID as a Hugging Face GPT-2 directory. */
public final class ExportHfStage implements Stage {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "export-hf";
    }

    @Override
    public String summary() {
        return "write a checkpoint as a Hugging Face GPT2LMHeadModel directory (config.json, model.safetensors, tokenizer files)";
    }

    @Override
    public String help() {
        return """
                reads   models/<train.run>/chunk=ID/ (model.zip, training_state.json), tokenizer/<its version>/
                writes  --out DIR (export.out; default <root>/export/<run>/chunk=ID): config.json, model.safetensors,
                        tokenizer.json, tokenizer_config.json, special_tokens_map.json
                Load with transformers: GPT2LMHeadModel.from_pretrained(DIR), AutoTokenizer.from_pretrained(DIR).""";
    }

    @Override
    public boolean needsChunk() {
        return true;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        String chunk = ctx.requireChunk(name());
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        Checkpoints ckpts = new Checkpoints(fs, layout, ctx.config().getString("train.run"));
        Manifest m = StageCommit.readManifest(fs, ckpts.chunkDir(chunk));
        if (m == null || m.count("trained") != 1) {
            throw new ConfigError("no trained checkpoint for chunk " + chunk + " in " + ckpts.runDir()
                    + (m == null ? " (run train --chunk " + chunk + " first)" : " (the schedule deferred this chunk: " + m.counts().get("reason") + ")"));
        }
        JsonNode state = JSON.readTree(TrainStage.read(fs, new Path(ckpts.chunkDir(chunk), "training_state.json")));
        String version = state.get("tokenizer_version").asText();
        Path tokDir = layout.dataset("tokenizer/" + version);
        String outConf = ctx.config().getString("export.out");
        Path out = outConf.isBlank() ? layout.dataset("export/" + ctx.config().getString("train.run") + "/chunk=" + chunk) : new Path(outConf);
        ComputationGraph net = ckpts.load(chunk);
        JsonNode tokConfig = JSON.readTree(TrainStage.read(fs, new Path(tokDir, "tokenizer_config.json")));
        String eos = tokConfig.path("eos_token").asText("<|endoftext|>");
        int eosId = 0;
        for (JsonNode a : JSON.readTree(TrainStage.read(fs, new Path(tokDir, "tokenizer.json"))).path("added_tokens")) {
            if (eos.equals(a.path("content").asText())) {
                eosId = a.path("id").asInt();
            }
        }
        java.nio.file.Path local = Files.createTempDirectory("lmforge-export");
        HfGpt2Export.write(net, eosId, local);
        for (String f : new String[]{"tokenizer.json", "tokenizer_config.json"}) { // raw local FS: no .crc side files
            fs.copyToLocalFile(false, new Path(tokDir, f), new Path(local.resolve(f).toUri()), true);
        }
        Files.writeString(local.resolve("special_tokens_map.json"), JSON.writeValueAsString(Map.of(
                "bos_token", tokConfig.path("bos_token").asText(), "eos_token", eos, "pad_token", tokConfig.path("pad_token").asText())));
        fs.delete(out, true);
        fs.mkdirs(out);
        try (var files = Files.list(local)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                if (!f.getFileName().toString().startsWith(".")) {
                    fs.copyFromLocalFile(true, true, new Path(f.toUri()), new Path(out, f.getFileName().toString()));
                }
            }
        }
        try (var left = Files.walk(local)) {
            left.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        return StageResult.committed(name(), chunk, String.format(Locale.ROOT, "step %d, tokenizer %s -> %s", state.get("step").asLong(), version, out));
    }
}
