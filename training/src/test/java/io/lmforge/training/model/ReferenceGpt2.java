package io.lmforge.training.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 (and NormFormer) forward pass written out in plain double loops from the papers'
 * equations, sharing nothing with the SameDiff graph but the parameter names: the independent
 * computation the model's logits are checked against.
 */
final class ReferenceGpt2 {
    private final Map<String, INDArray> w;
    private final Gpt2Model.Spec spec;
    private final int d;
    private final int dh;
    private final Moe moe;
    /** Per MoE block, over every sequence scored so far: Σ gate probabilities [E], first choices [E], kept choices, tokens. */
    private final Map<Integer, double[]> gateSums = new java.util.TreeMap<>();
    private final Map<Integer, double[]> firstChoices = new java.util.TreeMap<>();
    private final Map<Integer, double[]> keptAndTokens = new java.util.TreeMap<>();

    ReferenceGpt2(Map<String, INDArray> params, Gpt2Model.Spec spec) {
        this.w = params;
        this.spec = spec;
        this.d = spec.modelDim();
        this.dh = d / spec.heads();
        this.moe = spec.arch().moe();
    }

    /**
     * The MoE model's extra output columns for the sequences scored so far (one training batch):
     * balance-loss-weight · Σ_blocks E²·mean_e(m_e·c_e), then per block its E²·mean_e(m_e·c_e), the loads c_e and the dropped share.
     */
    double[] extras() {
        int e = moe.experts();
        List<Double> out = new ArrayList<>();
        double balance = 0;
        Map<Integer, Double> perBlock = new java.util.TreeMap<>();
        for (int block : gateSums.keySet()) {
            double tokens = keptAndTokens.get(block)[1];
            double sum = 0;
            for (int x = 0; x < e; x++) {
                sum += gateSums.get(block)[x] / tokens * (firstChoices.get(block)[x] / tokens);
            }
            perBlock.put(block, sum / e * e * e);
            balance += sum / e * e * e;
        }
        out.add(moe.balanceWeight() * balance);
        for (int block : gateSums.keySet()) {
            double tokens = keptAndTokens.get(block)[1];
            out.add(perBlock.get(block));
            for (int x = 0; x < e; x++) {
                out.add(firstChoices.get(block)[x] / tokens);
            }
            out.add(1 - keptAndTokens.get(block)[0] / (moe.topK() * tokens));
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Logits [T][V] for one sequence of token ids. */
    double[][] logits(int[] ids) {
        int t = ids.length;
        double[][] x = new double[t][d];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = w.get(Gpt2Params.WTE).getDouble(ids[i], j) + w.get(Gpt2Params.WPE).getDouble(i, j);
            }
        }
        for (int l = 0; l < spec.layers(); l++) {
            Gpt2Params p = new Gpt2Params(l);
            double[][] y = attention(layerNorm(x, p.ln1g(), p.ln1b()), p);
            if (spec.arch().normformer()) {
                y = layerNorm(y, p.attnLnG(), p.attnLnB());
            }
            x = add(x, y);
            double[][] normed = layerNorm(x, p.ln2g(), p.ln2b());
            double[][] f = moe.isMoeBlock(l) ? experts(normed, p, l) : feedForward(normed, p.fcW(), p.fcB(), p.fc2W(), p.fc2B(), p);
            double[][] residual = spec.arch().residualScale() ? scale(x, vector(p.residualScale())) : x;
            x = add(residual, f);
        }
        x = layerNorm(x, Gpt2Params.LNF_G, Gpt2Params.LNF_B);
        INDArray wte = w.get(Gpt2Params.WTE);
        double[][] out = new double[t][spec.vocabSize()];
        for (int i = 0; i < t; i++) {
            for (int v = 0; v < spec.vocabSize(); v++) {
                for (int j = 0; j < d; j++) {
                    out[i][v] += x[i][j] * wte.getDouble(v, j);
                }
            }
        }
        return out;
    }

    private double[][] feedForward(double[][] x, String fcW, String fcB, String fc2W, String fc2B, Gpt2Params p) {
        double[][] g = gelu(linear(x, fcW, fcB));
        if (spec.arch().normformer()) {
            g = layerNorm(g, p.ffnLnG(), p.ffnLnB());
        }
        return linear(g, fc2W, fc2B);
    }

    /** GShard top-k routing of one sequence (its own group) with capacity, as MoeFeedForward's comment states it. */
    private double[][] experts(double[][] x, Gpt2Params p, int block) {
        int t = x.length;
        int e = moe.experts();
        int capacity = moe.capacity(t, false);
        double[][] gates = softmaxRows(matmul(x, w.get(p.gateW())));
        int[][] choice = new int[t][moe.topK()];
        double[][] weight = new double[t][moe.topK()];
        double[] gateSum = gateSums.computeIfAbsent(block, b -> new double[e]);
        double[] first = firstChoices.computeIfAbsent(block, b -> new double[e]);
        for (int i = 0; i < t; i++) {
            boolean[] taken = new boolean[e];
            double norm = 0;
            for (int j = 0; j < moe.topK(); j++) {
                int best = -1;
                for (int c = 0; c < e; c++) {
                    if (!taken[c] && (best < 0 || gates[i][c] > gates[i][best])) {
                        best = c;
                    }
                }
                taken[best] = true;
                choice[i][j] = best;
                weight[i][j] = gates[i][best];
                norm += gates[i][best];
            }
            for (int j = 0; moe.topK() > 1 && j < moe.topK(); j++) {
                weight[i][j] /= norm;
            }
            for (int c = 0; c < e; c++) {
                gateSum[c] += gates[i][c];
            }
            first[choice[i][0]]++;
        }
        double[][] out = new double[t][d];
        int[] filled = new int[e];
        double kept = 0;
        for (int j = 0; j < moe.topK(); j++) { // first choices take slots before second choices
            for (int i = 0; i < t; i++) {
                int c = choice[i][j];
                if (filled[c]++ >= capacity) {
                    continue; // dropped: nothing from this expert
                }
                kept++;
                double[] y = expert(x[i], p, c);
                for (int k = 0; k < d; k++) {
                    out[i][k] += weight[i][j] * y[k];
                }
            }
        }
        double[] kt = keptAndTokens.computeIfAbsent(block, b -> new double[2]);
        kt[0] += kept;
        kt[1] += t;
        return out;
    }

    private double[] expert(double[] x, Gpt2Params p, int c) {
        INDArray fc = w.get(p.expertFcW());
        INDArray fcb = w.get(p.expertFcB());
        INDArray fc2 = w.get(p.expertFc2W());
        INDArray fc2b = w.get(p.expertFc2B());
        int f = 4 * d;
        double[][] h = new double[1][f];
        for (int o = 0; o < f; o++) {
            h[0][o] = fcb.getDouble(c, o);
            for (int k = 0; k < d; k++) {
                h[0][o] += x[k] * fc.getDouble(c, k, o);
            }
        }
        h = gelu(h);
        if (spec.arch().normformer()) {
            h = layerNorm(h, p.ffnLnG(), p.ffnLnB());
        }
        double[] y = new double[d];
        for (int o = 0; o < d; o++) {
            y[o] = fc2b.getDouble(c, o);
            for (int k = 0; k < f; k++) {
                y[o] += h[0][k] * fc2.getDouble(c, k, o);
            }
        }
        return y;
    }

    private static double[][] matmul(double[][] x, INDArray m) {
        double[][] out = new double[x.length][(int) m.size(1)];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out[i].length; o++) {
                for (int k = 0; k < x[i].length; k++) {
                    out[i][o] += x[i][k] * m.getDouble(k, o);
                }
            }
        }
        return out;
    }

    private static double[][] softmaxRows(double[][] z) {
        double[][] out = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            double max = java.util.Arrays.stream(z[i]).max().orElseThrow();
            double sum = java.util.Arrays.stream(z[i]).map(v -> Math.exp(v - max)).sum();
            out[i] = java.util.Arrays.stream(z[i]).map(v -> Math.exp(v - max) / sum).toArray();
        }
        return out;
    }

    private double[][] attention(double[][] a, Gpt2Params p) {
        int t = a.length;
        double[][] qkv = linear(a, p.qkvW(), p.qkvB());
        double[] headScale = spec.arch().normformer() ? vector(p.headScale()) : null;
        double[][] concat = new double[t][d];
        for (int h = 0; h < spec.heads(); h++) {
            for (int i = 0; i < t; i++) {
                double[] s = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    for (int k = 0; k < dh; k++) {
                        s[j] += qkv[i][h * dh + k] * qkv[j][d + h * dh + k];
                    }
                    s[j] /= Math.sqrt(dh);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j <= i; j++) {
                    s[j] = Math.exp(s[j] - max);
                    z += s[j];
                }
                for (int k = 0; k < dh; k++) {
                    double o = 0;
                    for (int j = 0; j <= i; j++) {
                        o += s[j] / z * qkv[j][2 * d + h * dh + k];
                    }
                    concat[i][h * dh + k] = headScale == null ? o : headScale[h] * o;
                }
            }
        }
        return linear(concat, p.projW(), p.projB());
    }

    private double[][] layerNorm(double[][] x, String gain, String bias) {
        double[] g = vector(gain);
        double[] b = vector(bias);
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            int n = x[i].length;
            double mean = 0;
            for (double v : x[i]) {
                mean += v / n;
            }
            double var = 0;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean) / n;
            }
            out[i] = new double[n];
            for (int j = 0; j < n; j++) {
                out[i][j] = (x[i][j] - mean) / Math.sqrt(var + 1e-5) * g[j] + b[j];
            }
        }
        return out;
    }

    private double[][] linear(double[][] x, String weight, String bias) {
        INDArray m = w.get(weight);
        double[] b = vector(bias);
        double[][] out = new double[x.length][b.length];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < b.length; o++) {
                double s = b[o];
                for (int k = 0; k < x[i].length; k++) {
                    s += x[i][k] * m.getDouble(k, o);
                }
                out[i][o] = s;
            }
        }
        return out;
    }

    /** GPT-2's gelu_new: 0.5·h·(1 + tanh(√(2/π)(h + 0.044715h³))). */
    private static double[][] gelu(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                double h = x[i][j];
                out[i][j] = 0.5 * h * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (h + 0.044715 * h * h * h)));
            }
        }
        return out;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] out = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                out[i][j] = a[i][j] + b[i][j];
            }
        }
        return out;
    }

    private static double[][] scale(double[][] a, double[] s) {
        double[][] out = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                out[i][j] = a[i][j] * s[j];
            }
        }
        return out;
    }

    private double[] vector(String name) {
        return w.get(name).dup().reshape(-1).toDoubleVector();
    }
}
