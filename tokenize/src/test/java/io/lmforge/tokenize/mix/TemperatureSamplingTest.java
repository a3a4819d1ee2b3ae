package io.lmforge.tokenize.mix;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TemperatureSamplingTest {
    private static final Map<String, Long> SIZES = Map.of("en", 900_000L, "de", 90_000L, "yo", 10_000L);

    @Test
    void alphaOneIsNaturalAlphaZeroIsUniform() {
        Map<String, Double> natural = TemperatureSampling.probabilities(SIZES, 1.0);
        assertEquals(0.9, natural.get("en"), 1e-12);
        assertEquals(0.01, natural.get("yo"), 1e-12);
        Map<String, Double> uniform = TemperatureSampling.probabilities(SIZES, 0.0);
        uniform.values().forEach(p -> assertEquals(1.0 / 3, p, 1e-12));
    }

    @Test
    void xglmAlphaUpsamplesTheSmallLanguage() {
        Map<String, Double> p = TemperatureSampling.probabilities(SIZES, 0.3);
        // n^0.3: 900000^0.3 = 60.7, 90000^0.3 = 30.5, 10000^0.3 = 15.8
        double z = Math.pow(900_000, 0.3) + Math.pow(90_000, 0.3) + Math.pow(10_000, 0.3);
        assertEquals(Math.pow(10_000, 0.3) / z, p.get("yo"), 1e-12);
        assertEquals(1.0, p.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
        Map<String, Double> r = TemperatureSampling.repeats(SIZES, 0.3, 100);
        assertEquals(p.get("yo") * 1_000_000 / 10_000, r.get("yo"), 1e-9);
        assertEquals(p.get("en") * 1_000_000 / 900_000, r.get("en"), 1e-9);
        assertEquals(4.0, TemperatureSampling.repeats(SIZES, 0.3, 4).get("yo"), 1e-12, "capped");
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> TemperatureSampling.probabilities(SIZES, 1.5));
        assertThrows(IllegalArgumentException.class, () -> TemperatureSampling.repeats(SIZES, 0.3, 0));
    }
}
