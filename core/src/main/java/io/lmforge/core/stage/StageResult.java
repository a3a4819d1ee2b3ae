package io.lmforge.core.stage;

/** What a stage run did: ran and committed, or skipped because its outputs were up to date. */
public record StageResult(String stage, String chunk, Outcome outcome, String detail) {
    public enum Outcome { COMMITTED, SKIPPED }

    public static StageResult committed(String stage, String chunk, String detail) {
        return new StageResult(stage, chunk, Outcome.COMMITTED, detail);
    }

    public static StageResult skipped(String stage, String chunk, String detail) {
        return new StageResult(stage, chunk, Outcome.SKIPPED, detail);
    }
}
