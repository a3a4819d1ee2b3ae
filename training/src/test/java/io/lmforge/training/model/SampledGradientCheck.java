package io.lmforge.training.model;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Central finite differences against backprop on evenly spaced entries of every parameter array
 * (DL4J's GradientCheckUtil ignores subset/maxPerParam for a ComputationGraph in M2.1 and checks all
 * of them: a minute for the tiny model). Same pass rule as GradientCheckUtil: relative error
 * |a−n|/(|a|+|n|) above maxRelError fails unless |a−n| is below minAbsoluteError.
 */
final class SampledGradientCheck {
    private SampledGradientCheck() {
    }

    /** Runs {@code check} with ND4J's default data type set to double (finite differences need it), restoring it after. */
    static List<String> inDoublePrecision(java.util.function.Supplier<List<String>> check) {
        org.nd4j.linalg.api.buffer.DataType before = org.nd4j.linalg.factory.Nd4j.dataType();
        org.nd4j.linalg.factory.Nd4j.setDefaultDataTypes(org.nd4j.linalg.api.buffer.DataType.DOUBLE, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        try {
            return check.get();
        } finally {
            org.nd4j.linalg.factory.Nd4j.setDefaultDataTypes(before, before);
        }
    }

    /** Descriptions of the entries that fail; empty when all pass. The model must be double precision without an updater. */
    static List<String> failures(ComputationGraph net, INDArray x, INDArray y, int perParam) {
        double eps = 1e-6;
        double maxRelError = 1e-3;
        double minAbsoluteError = 1e-8;
        MultiDataSet data = new MultiDataSet(x, y);
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        // as GradientCheckUtil: the (NoOp) updater turns DL4J's summed-over-the-minibatch gradient into that of the mean score
        new org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater(net).update(g, 0, 0, net.batchSize(),
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        List<String> failed = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            INDArray p = e.getValue();
            INDArray analytic = g.getGradientFor(e.getKey()).dup();
            long step = Math.max(1, p.length() / perParam);
            for (long i = 0; i < p.length(); i += step) {
                double original = p.getDouble(i);
                p.putScalar(i, original + eps);
                double plus = net.score(data, true);
                p.putScalar(i, original - eps);
                double minus = net.score(data, true);
                p.putScalar(i, original);
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic.getDouble(i);
                double abs = Math.abs(a - numeric);
                if (abs > minAbsoluteError && abs / (Math.abs(a) + Math.abs(numeric)) > maxRelError) {
                    failed.add(e.getKey() + "[" + i + "]: backprop " + a + ", finite difference " + numeric);
                }
            }
        }
        return failed;
    }
}
