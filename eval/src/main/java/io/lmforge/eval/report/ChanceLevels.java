package io.lmforge.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** Each task's chance accuracy, from the candidates its examples had (samples.jsonl): the mean over examples of 1 / candidates. */
final class ChanceLevels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChanceLevels() {
    }

    /** task (the samples' "task" without its "_lang" suffix) -> chance accuracy. */
    static Map<String, Double> fromSamples(String samplesJsonl) throws IOException {
        Map<String, double[]> sums = new TreeMap<>();
        for (String line : samplesJsonl.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode s = JSON.readTree(line);
            String taskLang = s.path("task").asText();
            String task = taskLang.contains("_") ? taskLang.substring(0, taskLang.lastIndexOf('_')) : taskLang;
            int candidates = s.path("loglikelihoods").size();
            if (candidates > 0) {
                double[] sum = sums.computeIfAbsent(task, t -> new double[2]);
                sum[0] += 1.0 / candidates;
                sum[1]++;
            }
        }
        Map<String, Double> out = new TreeMap<>();
        sums.forEach((t, s) -> out.put(t, s[0] / s[1]));
        return out;
    }
}
