package io.lmforge.training.model;

import io.lmforge.training.optim.OptimizerSpec;
import io.lmforge.training.rounds.RoundState;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Growing capacity between chunks (Caccia et al. 2021, "On Anytime Learning at Macroscale": a learner
 * that grows as data arrives): new transformer blocks appended on top of the existing ones, before the
 * final LayerNorm, initialised so that each computes the identity. A pre-LayerNorm block adds its
 * two branches to the residual stream, so zeroing what each branch writes makes the grown model
 * compute exactly the function it had: for GPT-2 the attention output projection and the second
 * feed-forward layer (weights and biases; in a Mixture-of-Experts block every expert's); for NormFormer, whose attention branch ends in a
 * LayerNorm, that LayerNorm's gain and bias instead (a zero input would put LayerNorm at its
 * 1/√ε-steep point). Every other new weight keeps its random initialisation so the zeros receive
 * gradient at the first step. The optimiser state moves by parameter name; new parameters start
 * with a fresh one (Adam: m = v = 0; outer momentum 0).
 */
public final class ModelGrowth {
    private ModelGrowth() {
    }

    public record Grown(ComputationGraph net, RoundState state) {
    }

    /** {@code old} with {@code add} identity blocks on top, its AdamW state and outer momentum carried over by name. */
    public static Grown deepen(ComputationGraph old, RoundState state, int add, OptimizerSpec opt, long seed) {
        if (opt.kind() != OptimizerSpec.Kind.ADAMW) {
            // schedule-free keeps z and x beside the parameters: growing them consistently is not done (yet)
            throw new io.lmforge.core.config.ConfigError("train.grow needs train.optimizer.kind = adamw");
        }
        Gpt2Layer l = Gpt2Model.layerOf(old);
        Gpt2Model.Spec spec = new Gpt2Model.Spec(l.getVocabSize(), l.getContextLength(), l.getModelDim(), l.getNumHeads(),
                l.getNumLayers() + add, l.architecture());
        ComputationGraph grown = Gpt2Model.create(spec, opt, seed + spec.layers()); // new blocks' random part: seeded by depth
        Map<String, INDArray> from = old.getLayer("gpt").paramTable();
        Map<String, INDArray> to = grown.getLayer("gpt").paramTable();
        for (Map.Entry<String, INDArray> e : to.entrySet()) {
            INDArray src = from.get(e.getKey());
            if (src != null) {
                e.getValue().assign(src);
            }
        }
        for (int i = l.getNumLayers(); i < spec.layers(); i++) {
            for (String silent : identityParams(new Gpt2Params(i), l.architecture(), i)) {
                to.get(silent).assign(0);
            }
        }
        grown.getConfiguration().setIterationCount(old.getConfiguration().getIterationCount());
        grown.getConfiguration().setEpochCount(old.getConfiguration().getEpochCount());
        float[][] inner = new float[state.inner().length][];
        for (int w = 0; w < inner.length; w++) {
            inner[w] = ParamLayout.moveUpdaterState(old, state.inner()[w], grown);
        }
        float[] momentum = new ParamLayout(old).moveSections(state.outerMomentum(), new ParamLayout(grown));
        return new Grown(grown, new RoundState(inner, momentum));
    }

    /** The parameters that, at zero, make block {@code p} (number {@code block}) add nothing to the residual stream. */
    static String[] identityParams(Gpt2Params p, Architecture arch, int block) {
        boolean moe = arch.moe().isMoeBlock(block); // an MoE block's output is Σ g·expert: zero experts' second layers
        String fc2W = moe ? p.expertFc2W() : p.fc2W();
        String fc2B = moe ? p.expertFc2B() : p.fc2B();
        return arch.normformer()
                ? new String[]{p.attnLnG(), p.attnLnB(), fc2W, fc2B}
                : new String[]{p.projW(), p.projB(), fc2W, fc2B};
    }
}
