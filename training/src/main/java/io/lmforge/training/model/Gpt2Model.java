package io.lmforge.training.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import io.lmforge.training.optim.TorchAdam;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Builds the trainable ComputationGraph: input "tokens" [b, 1, T] -> {@link Gpt2Layer} "gpt"
 * (logits [b*T, V]) -> LossLayer "loss" with {@link TokenCrossEntropy} (softmax + cross-entropy
 * against the target ids [b, T]). Optimiser: {@link TorchAdam} (PyTorch's Adam step) with decoupled weight
 * decay (DL4J's {@link WeightDecay} is applied after the updater, i.e. AdamW; ND4J has no AdamW
 * class), the LR schedule given, and L2 gradient clipping (per layer = over all weights, since the
 * network is one layer).
 */
public final class Gpt2Model {
    private Gpt2Model() {
    }

    public record Spec(int vocabSize, int seqLen, int modelDim, int heads, int layers, Architecture arch) {
        /** Plain GPT-2. */
        public Spec(int vocabSize, int seqLen, int modelDim, int heads, int layers) {
            this(vocabSize, seqLen, modelDim, heads, layers, Architecture.GPT2);
        }

        /** The spec of a built layer, with another context length (the scorer's shorter copies). */
        public static Spec of(Gpt2Layer l, int seqLen) {
            return new Spec(l.getVocabSize(), seqLen, l.getModelDim(), l.getNumHeads(), l.getNumLayers(), l.architecture());
        }
    }

    /** The GPT layer of a built model. */
    public static Gpt2Layer layerOf(ComputationGraph net) {
        return (Gpt2Layer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) net.getConfiguration().getVertices().get("gpt")).getLayerConf().getLayer();
    }

    static Gpt2Layer layer(Spec spec) {
        Gpt2Layer l = new Gpt2Layer(spec.vocabSize(), spec.seqLen(), spec.modelDim(), spec.heads(), spec.layers());
        l.setArchitecture(spec.arch());
        return l;
    }

    public record Optimizer(ISchedule learningRate, double beta1, double beta2, double epsilon, double weightDecay, double clipNorm) {
    }

    public static ComputationGraphConfiguration configuration(Spec spec, Optimizer opt, long seed, DataType dataType) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .updater(new TorchAdam(opt.learningRate(), opt.beta1(), opt.beta2(), opt.epsilon()));
        if (opt.weightDecay() > 0) {
            b.regularization(java.util.List.of(new WeightDecay(opt.weightDecay(), true)));
        }
        if (opt.clipNorm() > 0) {
            b.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(opt.clipNorm());
        }
        return b.graphBuilder()
                .addInputs("tokens")
                .addLayer("gpt", layer(spec), "tokens")
                .addLayer("loss", lossLayer(spec), "gpt")
                .setOutputs("loss")
                .build();
    }

    /** Identity activation: softmax is inside {@link TokenCrossEntropy} (which adds a Mixture-of-Experts model's balance loss). */
    static LossLayer lossLayer(Spec spec) {
        return new LossLayer.Builder(new TokenCrossEntropy(MoeFeedForward.extraColumns(spec.arch().moe(), spec.layers())))
                .activation(Activation.IDENTITY).build();
    }

    /** Whether a (restored) graph's "loss" layer is {@link TokenCrossEntropy}, i.e. it can be trained by this version. */
    public static boolean hasTokenLoss(ComputationGraph net) {
        return net.getConfiguration().getVertices().get("loss") instanceof org.deeplearning4j.nn.conf.graph.LayerVertex v
                && v.getLayerConf().getLayer() instanceof LossLayer l && l.getLossFn() instanceof TokenCrossEntropy;
    }

    /** Double precision, no updater, no clipping: what GradientCheckUtil needs to compare with finite differences. */
    public static ComputationGraphConfiguration gradientCheckConfiguration(Spec spec, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).updater(new org.nd4j.linalg.learning.config.NoOp())
                .graphBuilder().addInputs("tokens")
                .addLayer("gpt", layer(spec), "tokens")
                .addLayer("loss", lossLayer(spec), "gpt")
                .setOutputs("loss").build();
    }

    /**
     * Float, no updater, inference-only layer (log-probabilities out): a graph to copy trained
     * parameters into for scoring, possibly with a shorter context. Not for training.
     */
    public static ComputationGraph forInference(Spec spec) {
        Gpt2Layer layer = layer(spec);
        layer.setInference(true);
        // no loss layer: the output is the log-probabilities [b, T, V]
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .updater(new org.nd4j.linalg.learning.config.NoOp()).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder().addInputs("tokens").addLayer("gpt", layer, "tokens").setOutputs("gpt").build());
        net.init();
        return net;
    }

    /**
     * A new model for the optimiser of train.optimizer.kind: AdamW in DL4J's updater, or no updater at
     * all for schedule-free AdamW, whose step works on the parameters itself (ScheduleFreeStep). The
     * initial weights depend only on the spec and the seed.
     */
    public static ComputationGraph create(Spec spec, io.lmforge.training.optim.OptimizerSpec opt, long seed) {
        return create(spec, opt, seed, DataType.FLOAT);
    }

    /** As {@link #create(Spec, io.lmforge.training.optim.OptimizerSpec, long)} in another precision (the float64 parity check). */
    public static ComputationGraph create(Spec spec, io.lmforge.training.optim.OptimizerSpec opt, long seed, DataType dataType) {
        ComputationGraph net = new ComputationGraph(configuration(spec, opt, opt.schedule(), seed, dataType));
        net.init();
        return net;
    }

    /**
     * The training configuration for train.optimizer.kind with the learning-rate schedule given: AdamW's
     * updater and weight decay in the graph, or no updater (schedule-free's step keeps its hyperparameters).
     */
    public static ComputationGraphConfiguration configuration(Spec spec, io.lmforge.training.optim.OptimizerSpec opt, ISchedule learningRate,
                                                              long seed, DataType dataType) {
        if (opt.kind() == io.lmforge.training.optim.OptimizerSpec.Kind.ADAMW) {
            return configuration(spec, new Optimizer(learningRate, opt.beta1(), opt.beta2(), opt.epsilon(), opt.weightDecay(), opt.clipNorm()),
                    seed, dataType);
        }
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(dataType)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .updater(new org.nd4j.linalg.learning.config.NoOp())
                .graphBuilder().addInputs("tokens")
                .addLayer("gpt", layer(spec), "tokens")
                .addLayer("loss", lossLayer(spec), "gpt")
                .setOutputs("loss").build();
    }

    public static ComputationGraph create(Spec spec, Optimizer opt, long seed) {
        ComputationGraph net = new ComputationGraph(configuration(spec, opt, seed, DataType.FLOAT));
        net.init();
        return net;
    }
}
