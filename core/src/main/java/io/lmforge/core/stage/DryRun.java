package io.lmforge.core.stage;

import io.lmforge.core.BuildInfo;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * `--dry-run`: what the stage would do and why, from the same plan and fingerprint the runner uses,
 * compared with the manifest of the output it would replace: up to date, or would run because there
 * is no commit yet, the code changed, its declared config changed, an input changed (named), or
 * --force; or it would be refused (arrival order). Takes no lock and writes nothing.
 */
final class DryRun {
    private DryRun() {
    }

    static StageResult explain(DatasetStage<?> stage, StageContext outer, StageContext ctx, FileSystem fs, String chunk, StagePlan<?> plan,
                               Manifest current) throws IOException {
        String name = stage.spec().name();
        if (current != null && !ctx.force()) {
            return StageResult.dryRun(name, chunk, "up to date: made from the same inputs, config and code at " + current.finishedAt());
        }
        try {
            ArrivalOrder.check(stage, outer, fs, chunk);
        } catch (ConfigError e) {
            return StageResult.dryRun(name, chunk, "would be refused: " + e.getMessage());
        }
        List<String> why = ctx.force() ? List.of("--force") : reasons(stage.spec(), ctx, plan, previous(fs, plan));
        return StageResult.dryRun(name, chunk, "would run: " + String.join("; ", why));
    }

    private static Manifest previous(FileSystem fs, StagePlan<?> plan) throws IOException {
        for (Path dir : plan.upToDateCandidates()) {
            Manifest m = Manifests.read(fs, dir);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    static List<String> reasons(StageSpec spec, StageContext ctx, StagePlan<?> plan, Manifest previous) {
        if (previous == null) {
            return List.of("no committed output yet");
        }
        List<String> why = new ArrayList<>();
        if (!Objects.equals(previous.codeVersion(), BuildInfo.codeVersion())) {
            why.add("code changed (" + previous.codeVersion() + " -> " + BuildInfo.codeVersion() + ")");
        }
        if (!Objects.equals(previous.configHash(), ctx.config().hashOf(spec.config().toArray(new String[0])))) {
            why.add("config changed (one of " + String.join(", ", spec.config()) + ")");
        }
        why.addAll(inputChanges(previous.inputs(), plan.inputs()));
        if (why.isEmpty()) {
            why.add("its facts changed (" + plan.facts() + ")");
        }
        return why;
    }

    private static List<String> inputChanges(List<Map<String, Object>> before, List<Map<String, Object>> now) {
        Map<String, String> was = identities(before == null ? List.of() : before);
        Map<String, String> is = identities(now);
        List<String> out = new ArrayList<>();
        is.forEach((label, id) -> {
            if (!was.containsKey(label)) {
                out.add("new input " + label);
            } else if (!was.get(label).equals(id)) {
                out.add("input " + label + " changed");
            }
        });
        was.keySet().stream().filter(l -> !is.containsKey(l)).forEach(l -> out.add("input " + l + " is gone"));
        return out;
    }

    /** label -> what the fingerprint hashes for it (a committed dataset's fingerprint, or a file's path, size and time). */
    private static Map<String, String> identities(List<Map<String, Object>> inputs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> in : inputs) {
            String label = String.valueOf(in.containsKey("label") ? in.get("label") : in.get("path"));
            out.put(label, in.containsKey("fingerprint") ? String.valueOf(in.get("fingerprint"))
                    : in.get("path") + ":" + in.get("bytes") + ":" + in.get("modified"));
        }
        return out;
    }
}
