package io.lmforge.training.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.training.model.Gpt2Layer;
import io.lmforge.training.model.Gpt2Params;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a trained model as a Hugging Face GPT-2 checkpoint: config.json (GPT2LMHeadModel,
 * gelu_new, tied embeddings) and model.safetensors with HF's parameter names. Our weight layout
 * is already HF's Conv1D layout ([in, out]; q|k|v concatenated along out), so tensors are written
 * as they are; the LM head is not written (HF ties it to wte).
 * safetensors is an 8-byte little-endian header length, a JSON header, then raw little-endian data.
 */
public final class HfGpt2Export {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfGpt2Export() {
    }

    /** HF name -> our parameter, in the order written. */
    static Map<String, String> names(int layers) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("transformer.wte.weight", Gpt2Params.WTE);
        m.put("transformer.wpe.weight", Gpt2Params.WPE);
        for (int i = 0; i < layers; i++) {
            Gpt2Params p = new Gpt2Params(i);
            String h = "transformer.h." + i + ".";
            m.put(h + "ln_1.weight", p.ln1g());
            m.put(h + "ln_1.bias", p.ln1b());
            m.put(h + "attn.c_attn.weight", p.qkvW());
            m.put(h + "attn.c_attn.bias", p.qkvB());
            m.put(h + "attn.c_proj.weight", p.projW());
            m.put(h + "attn.c_proj.bias", p.projB());
            m.put(h + "ln_2.weight", p.ln2g());
            m.put(h + "ln_2.bias", p.ln2b());
            m.put(h + "mlp.c_fc.weight", p.fcW());
            m.put(h + "mlp.c_fc.bias", p.fcB());
            m.put(h + "mlp.c_proj.weight", p.fc2W());
            m.put(h + "mlp.c_proj.bias", p.fc2B());
        }
        m.put("transformer.ln_f.weight", Gpt2Params.LNF_G);
        m.put("transformer.ln_f.bias", Gpt2Params.LNF_B);
        return m;
    }

    public static void write(ComputationGraph net, int eosId, Path dir) throws IOException {
        Gpt2Layer l = io.lmforge.training.model.Gpt2Model.layerOf(net);
        if (l.architecture().normformer() || l.architecture().moe().enabled()) {
            throw new IllegalArgumentException("a " + l.architecture().label() + " model has no GPT2LMHeadModel form");
        }
        Files.createDirectories(dir);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", java.util.List.of("GPT2LMHeadModel"));
        config.put("model_type", "gpt2");
        config.put("vocab_size", l.getVocabSize());
        config.put("n_positions", l.getContextLength());
        config.put("n_ctx", l.getContextLength());
        config.put("n_embd", l.getModelDim());
        config.put("n_layer", l.getNumLayers());
        config.put("n_head", l.getNumHeads());
        config.put("n_inner", null);
        config.put("activation_function", "gelu_new");
        config.put("resid_pdrop", 0.0);
        config.put("embd_pdrop", 0.0);
        config.put("attn_pdrop", 0.0);
        config.put("layer_norm_epsilon", l.getLayerNormEps());
        config.put("initializer_range", l.getInitStd());
        config.put("scale_attn_weights", true);
        config.put("tie_word_embeddings", true);
        config.put("bos_token_id", eosId);
        config.put("eos_token_id", eosId);
        config.put("torch_dtype", "float32");
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));

        Map<String, INDArray> params = net.getLayer("gpt").paramTable();
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : names(l.getNumLayers()).entrySet()) {
            INDArray a = params.get(e.getValue());
            if (a == null) {
                throw new IllegalStateException("model has no parameter " + e.getValue());
            }
            boolean vector = e.getKey().endsWith(".bias") || e.getKey().contains("ln_");
            tensors.put(e.getKey(), new SafeTensors.Tensor(a.castTo(DataType.FLOAT).dup('c').data().asFloat(),
                    vector ? new long[]{a.length()} : a.shape()));
        }
        Files.write(dir.resolve("model.safetensors"), SafeTensors.write(tensors, Map.of("format", "pt")));
    }
}
