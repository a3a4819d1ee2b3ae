package io.lmforge.core.stage;

import java.util.ArrayList;
import java.util.List;

/**
 * What a stage is, declared once: its name, what it reads and writes (for --help), and the config
 * keys it depends on. {@code config} keys feed both --help and the fingerprint (change one and the
 * stage recomputes); {@code runtime} keys tune how it runs but not what it writes. The runner gives
 * the stage a config view in which every other key is unreadable, so the three cannot drift apart.
 */
public record StageSpec(String name, String summary, boolean needsChunk, List<String> reads, List<String> writes,
                        List<String> config, List<String> runtime, String notes) {

    public static Builder of(String name, String summary) {
        return new Builder(name, summary);
    }

    /** Every key the stage may read. */
    public List<String> readableConfig() {
        List<String> all = new ArrayList<>(config);
        all.addAll(runtime);
        return all;
    }

    /** The text of `bin/pipeline NAME --help` below the usage line. */
    public String help() {
        StringBuilder sb = new StringBuilder();
        block(sb, "reads", reads);
        block(sb, "writes", writes);
        block(sb, "config", List.of(config.isEmpty() ? "none: the outputs depend on the inputs alone"
                : String.join(", ", config) + "  (part of the fingerprint: a change recomputes)"));
        if (!runtime.isEmpty()) {
            block(sb, "runtime", List.of(String.join(", ", runtime) + "  (how it runs, not what it writes)"));
        }
        if (!notes.isEmpty()) {
            sb.append(notes).append('\n');
        }
        sb.append("A rerun whose inputs, config and code are unchanged is skipped; --force recomputes. Outputs appear atomically:\n")
                .append("a killed run leaves nothing readable behind and the next run recovers (see README \"The stage protocol\").");
        return sb.toString();
    }

    private static void block(StringBuilder sb, String label, List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            sb.append(String.format("%-8s%s%n", i == 0 ? label : "", lines.get(i)));
        }
    }

    public static final class Builder {
        private final String name;
        private final String summary;
        private boolean needsChunk;
        private final List<String> reads = new ArrayList<>();
        private final List<String> writes = new ArrayList<>();
        private final List<String> config = new ArrayList<>();
        private final List<String> runtime = new ArrayList<>();
        private String notes = "";

        private Builder(String name, String summary) {
            this.name = name;
            this.summary = summary;
        }

        public Builder perChunk() {
            needsChunk = true;
            return this;
        }

        public Builder reads(String... lines) {
            reads.addAll(List.of(lines));
            return this;
        }

        public Builder writes(String... lines) {
            writes.addAll(List.of(lines));
            return this;
        }

        /** Config keys or subtrees that decide the outputs (fingerprinted). */
        public Builder config(String... keys) {
            config.addAll(List.of(keys));
            return this;
        }

        /** Config keys that only tune the run (read, not fingerprinted). */
        public Builder runtime(String... keys) {
            runtime.addAll(List.of(keys));
            return this;
        }

        public Builder notes(String text) {
            notes = text.strip();
            return this;
        }

        public StageSpec build() {
            return new StageSpec(name, summary, needsChunk, List.copyOf(reads), List.copyOf(writes), List.copyOf(config),
                    List.copyOf(runtime), notes);
        }
    }
}
