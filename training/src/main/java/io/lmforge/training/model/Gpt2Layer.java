package io.lmforge.training.model;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The GPT-2 network as one DL4J {@link SameDiffLayer}: token + learned position embeddings,
 * pre-LayerNorm blocks (causal multi-head self-attention, GELU MLP, residuals), final LayerNorm,
 * LM head tied to the token embedding. Input: token ids as [batch, 1, T] (DL4J's recurrent
 * layout); output: logits as one row per token, [batch·T, vocab], for a LossLayer with
 * {@link TokenCrossEntropy} (labels: target ids [batch, T]).
 *
 * <p>One layer, not one per block, because DL4J layers own their parameters: the tied head has to
 * live in the same layer as the embedding. The blocks are built by {@link Gpt2Blocks}.
 *
 * <p>Config fields are plain bean properties (field name = property name) because the averaging rounds
 * ships the configuration as DL4J JSON: a field whose getter spells it differently is silently
 * dropped (see ../shared/notes/dl4j-on-spark.md); a test compares toJson() round trips.
 * Parameter names have no '_' (DL4J splits gradient keys on the last '_').
 */
public class Gpt2Layer extends SameDiffLayer {
    static {
        // wherever the model is built (driver, executors), keep SameDiff's gradient-graph printlns off stdout
        SameDiffStdoutFilter.install();
    }

    private int vocabSize;
    private int contextLength;
    private int modelDim;
    private int numHeads;
    private int numLayers;
    private double initStd = 0.02;
    private double layerNormEps = 1e-5;
    private boolean normformer;
    private boolean residualScale;
    private int moeExperts;
    private int moeTopK = Moe.NONE.topK();
    private int moeEvery = Moe.NONE.every();
    private double moeCapacityFactor = Moe.NONE.capacityFactor();
    private double moeBalanceWeight = Moe.NONE.balanceWeight();
    /** An inference-only copy: log-probabilities [batch, T, vocab] as output instead of logits for a loss layer. */
    private boolean inference;

    public Gpt2Layer() {
        // for DL4J's JSON deserialisation
    }

    public Gpt2Layer(int vocabSize, int contextLength, int modelDim, int numHeads, int numLayers) {
        if (modelDim % numHeads != 0) {
            throw new IllegalArgumentException("d-model " + modelDim + " is not divisible by heads " + numHeads);
        }
        this.vocabSize = vocabSize;
        this.contextLength = contextLength;
        this.modelDim = modelDim;
        this.numHeads = numHeads;
        this.numLayers = numLayers;
    }

    public int getVocabSize() { return vocabSize; }
    public void setVocabSize(int v) { vocabSize = v; }
    public int getContextLength() { return contextLength; }
    public void setContextLength(int v) { contextLength = v; }
    public int getModelDim() { return modelDim; }
    public void setModelDim(int v) { modelDim = v; }
    public int getNumHeads() { return numHeads; }
    public void setNumHeads(int v) { numHeads = v; }
    public int getNumLayers() { return numLayers; }
    public void setNumLayers(int v) { numLayers = v; }
    public double getInitStd() { return initStd; }
    public void setInitStd(double v) { initStd = v; }
    public double getLayerNormEps() { return layerNormEps; }
    public void setLayerNormEps(double v) { layerNormEps = v; }
    public boolean isNormformer() { return normformer; }
    public void setNormformer(boolean v) { normformer = v; }
    public boolean isResidualScale() { return residualScale; }
    public void setResidualScale(boolean v) { residualScale = v; }

    public int getMoeExperts() { return moeExperts; }
    public void setMoeExperts(int v) { moeExperts = v; }
    public int getMoeTopK() { return moeTopK; }
    public void setMoeTopK(int v) { moeTopK = v; }
    public int getMoeEvery() { return moeEvery; }
    public void setMoeEvery(int v) { moeEvery = v; }
    public double getMoeCapacityFactor() { return moeCapacityFactor; }
    public void setMoeCapacityFactor(double v) { moeCapacityFactor = v; }
    public double getMoeBalanceWeight() { return moeBalanceWeight; }
    public void setMoeBalanceWeight(double v) { moeBalanceWeight = v; }

    /** The block variant (not a bean property, so DL4J's JSON keeps the fields above). */
    public Architecture architecture() {
        return new Architecture(normformer, residualScale, new Moe(moeExperts, moeTopK, moeEvery, moeCapacityFactor, moeBalanceWeight));
    }

    /** Sets the fields of {@link #architecture()}. */
    void setArchitecture(Architecture a) {
        normformer = a.normformer();
        residualScale = a.residualScale();
        moeExperts = a.moe().experts();
        moeTopK = a.moe().topK();
        moeEvery = a.moe().every();
        moeCapacityFactor = a.moe().capacityFactor();
        moeBalanceWeight = a.moe().balanceWeight();
    }

    public boolean isInference() { return inference; }
    public void setInference(boolean v) { inference = v; }

    @Override
    public void defineParameters(SDLayerParams p) {
        p.addWeightParam(Gpt2Params.WTE, vocabSize, modelDim);
        p.addWeightParam(Gpt2Params.WPE, contextLength, modelDim);
        for (int i = 0; i < numLayers; i++) {
            Gpt2Params b = new Gpt2Params(i);
            p.addBiasParam(b.ln1g(), 1, modelDim);
            p.addBiasParam(b.ln1b(), 1, modelDim);
            p.addWeightParam(b.qkvW(), modelDim, 3L * modelDim);
            p.addBiasParam(b.qkvB(), 1, 3L * modelDim);
            p.addWeightParam(b.projW(), modelDim, modelDim);
            p.addBiasParam(b.projB(), 1, modelDim);
            p.addBiasParam(b.ln2g(), 1, modelDim);
            p.addBiasParam(b.ln2b(), 1, modelDim);
            Moe moe = architecture().moe();
            if (moe.isMoeBlock(i)) {
                p.addWeightParam(b.gateW(), modelDim, moe.experts());
                p.addWeightParam(b.expertFcW(), moe.experts(), modelDim, 4L * modelDim);
                p.addBiasParam(b.expertFcB(), moe.experts(), 4L * modelDim);
                p.addWeightParam(b.expertFc2W(), moe.experts(), 4L * modelDim, modelDim);
                p.addBiasParam(b.expertFc2B(), moe.experts(), modelDim);
            } else {
                p.addWeightParam(b.fcW(), modelDim, 4L * modelDim);
                p.addBiasParam(b.fcB(), 1, 4L * modelDim);
                p.addWeightParam(b.fc2W(), 4L * modelDim, modelDim);
                p.addBiasParam(b.fc2B(), 1, modelDim);
            }
            if (normformer) {
                // registered as biases: no weight decay, like the other gains
                p.addBiasParam(b.attnLnG(), 1, modelDim);
                p.addBiasParam(b.attnLnB(), 1, modelDim);
                p.addBiasParam(b.headScale(), 1, numHeads);
                p.addBiasParam(b.ffnLnG(), 1, 4L * modelDim);
                p.addBiasParam(b.ffnLnB(), 1, 4L * modelDim);
            }
            if (residualScale) {
                p.addBiasParam(b.residualScale(), 1, modelDim);
            }
        }
        p.addBiasParam(Gpt2Params.LNF_G, 1, modelDim);
        p.addBiasParam(Gpt2Params.LNF_B, 1, modelDim);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // GPT-2: N(0, 0.02) weights, residual projections scaled by 1/sqrt(2 * layers), LN gain 1, biases 0
        double residualStd = initStd / Math.sqrt(2.0 * numLayers);
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String k = e.getKey();
            INDArray a = e.getValue();
            if (Gpt2Params.startsAtOne(k)) {
                a.assign(1.0);
            } else if (Gpt2Params.isBias(k)) {
                a.assign(0.0);
            } else {
                double std = Gpt2Params.isResidualProjection(k) ? residualStd : initStd;
                a.assign(Nd4j.randn(a.dataType(), a.shape()).muli(std));
            }
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        Gpt2Blocks blocks = new Gpt2Blocks(sd, params, vocabSize, contextLength, modelDim, numHeads, numLayers, layerNormEps, architecture(), inference);
        if (inference) {
            return blocks.logProbabilities(input); // no backward pass, so nothing to halve
        }
        return blocks.trainingLogits(input); // halves DL4J's doubled SameDiffLayer gradients (see there)
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        // training: [b*T, V] rows (+ the MoE columns, see MoeFeedForward); inference copies: log-probabilities [b, T, V]
        return inference ? InputType.recurrent(vocabSize, contextLength)
                : InputType.feedForward(vocabSize + MoeFeedForward.extraColumns(architecture().moe(), numLayers));
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // the input is token ids; nothing to infer
    }

    static DataType dataType() {
        return DataType.FLOAT;
    }
}
