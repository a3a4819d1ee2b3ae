package io.lmforge.core.stage;

/** What a stage run did: ran and committed, or skipped because its outputs were up to date; a command that only reads: reported; --dry-run: dry-run. */
public record StageResult(String stage, String chunk, Outcome outcome, String detail) {
    public enum Outcome {
        COMMITTED, SKIPPED, REPORTED, DRY_RUN;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** --dry-run: what the stage would do, starting with "would run", "up to date" or "would be refused". */
    public static StageResult dryRun(String stage, String chunk, String detail) {
        return new StageResult(stage, chunk, Outcome.DRY_RUN, detail);
    }

    public boolean wouldRun() {
        return outcome == Outcome.DRY_RUN && detail.startsWith("would run");
    }

    public static StageResult reported(String command, String detail) {
        return new StageResult(command, null, Outcome.REPORTED, detail);
    }

    public static StageResult committed(String stage, String chunk, String detail) {
        return new StageResult(stage, chunk, Outcome.COMMITTED, detail);
    }

    public static StageResult skipped(String stage, String chunk, String detail) {
        return new StageResult(stage, chunk, Outcome.SKIPPED, detail);
    }
}
