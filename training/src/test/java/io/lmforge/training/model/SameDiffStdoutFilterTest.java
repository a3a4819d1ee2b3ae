package io.lmforge.training.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SameDiffStdoutFilterTest {
    @Test
    void buildingAndFittingTheModelPrintsNoDifferentiatedOpLinesAndOtherOutputPasses() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            SameDiffStdoutFilter.install();
            var net = Gpt2Model.create(new Gpt2Model.Spec(20, 8, 8, 2, 1),
                    new Gpt2Model.Optimizer(new WarmupCosineSchedule(1e-3, 1, 0, 0.1), 0.9, 0.95, 1e-8, 0, 1), 1);
            float[] ids = new float[16];
            net.fit(new org.nd4j.linalg.dataset.MultiDataSet(org.nd4j.linalg.factory.Nd4j.create(ids, new long[]{2, 1, 8}),
                    org.nd4j.linalg.factory.Nd4j.create(ids, new long[]{2, 8})));
            System.out.println("kept line");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("Added differentiated op"), out);
        assertTrue(out.contains("kept line"));
        assertEquals(1, out.lines().filter(l -> l.equals("kept line")).count());
    }
}
