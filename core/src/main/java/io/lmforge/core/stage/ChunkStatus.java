package io.lmforge.core.stage;

import io.lmforge.core.BuildInfo;
import io.lmforge.core.commit.LockOwner;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Map;

/**
 * What one stage has done for one chunk, read from the root alone (manifests, commit markers, locks,
 * staging), so it needs no Spark and changes nothing.
 *
 * @param manifest the committed (or torn) manifest, null when there is none
 */
record ChunkStatus(State state, Manifest manifest, String note) {
    enum State {
        DONE("done"), DEFERRED("deferred"), PASSED_OVER("passed over"), RUNNING("running"), FAILED("failed"), MISSING("-");

        final String label;

        State(String label) {
            this.label = label;
        }
    }

    static final String OTHER_CODE = "made by other code than this";

    static ChunkStatus of(DatasetStage<?> stage, StageContext ctx, FileSystem fs, String chunk) throws IOException {
        StageContext at = ctx.withChunk(chunk);
        String lock = StageRunner.lockName(stage.name(), stage.scope(at));
        Path lockFile = StageRunner.lockFile(ctx.layout(), lock);
        if (fs.exists(lockFile)) {
            LockOwner owner = readOwner(fs, lockFile);
            return owner != null && owner.provablyDead()
                    ? new ChunkStatus(State.FAILED, null, "its run died holding " + lockFile.getName() + " (the next run takes it over)")
                    : new ChunkStatus(State.RUNNING, null, owner == null ? "locked" : "running: " + owner.describe());
        }
        Path dir = stage.committedOutput(at, chunk);
        Manifest m = Manifests.read(fs, dir);
        if (m != null) {
            boolean deferred = m.counts() != null && Integer.valueOf(0).equals(asInt(m.counts().get("trained")));
            String older = BuildInfo.codeVersion().equals(m.codeVersion()) ? "" : OTHER_CODE;
            return new ChunkStatus(deferred ? State.DEFERRED : State.DONE, m, older);
        }
        if (Manifests.readAny(fs, dir) != null || hasStaging(fs, ctx, lock)) {
            return new ChunkStatus(State.FAILED, Manifests.readAny(fs, dir), "a run stopped before its commit (rerun the stage; it cleans up)");
        }
        String nothingToDo = stage.passOver(at, fs);
        return nothingToDo != null ? new ChunkStatus(State.PASSED_OVER, null, nothingToDo) : new ChunkStatus(State.MISSING, null, "");
    }

    private static Integer asInt(Object v) {
        return v instanceof Number n ? n.intValue() : null;
    }

    private static LockOwner readOwner(FileSystem fs, Path lockFile) {
        try {
            return LockOwner.fromJson(HadoopFiles.readString(fs, lockFile));
        } catch (IOException e) {
            return null; // being written or removed this instant
        }
    }

    /** Staged outputs of a run of this stage and scope that never committed (_staging/&lt;lock name&gt;+&lt;run id&gt;). */
    private static boolean hasStaging(FileSystem fs, StageContext ctx, String lock) throws IOException {
        Path staging = ctx.layout().staging();
        if (!fs.exists(staging)) {
            return false;
        }
        for (FileStatus st : fs.listStatus(staging)) {
            String name = st.getPath().getName();
            if (name.startsWith(lock + "+") && name.substring(lock.length() + 1).matches("[0-9a-f]{12}")) {
                return true;
            }
        }
        return false;
    }

    /** The first few numeric counts of the manifest, e.g. "records_in 5,764, kept 2,001". */
    String counts() {
        if (manifest == null || manifest.counts() == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (Map.Entry<String, Object> e : manifest.counts().entrySet()) {
            if ((e.getValue() instanceof Long || e.getValue() instanceof Integer) && shown < 4) {
                Number n = (Number) e.getValue();
                sb.append(shown++ == 0 ? "" : ", ").append(e.getKey()).append(' ').append(String.format(java.util.Locale.ROOT, "%,d", n.longValue()));
            }
        }
        return sb.toString();
    }
}
