package io.lmforge.core.dataset;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.List;

/**
 * Reading manifests the way every reader must: a directory is committed when its _MANIFEST.json
 * parses and the commit marker of the run that wrote it (in that run's primary output, written last)
 * names the same run. A torn or half-written manifest, or outputs of a run that died before its
 * marker, read as "not committed": never an exception, so a rerun can always recover.
 */
public final class Manifests {
    public static final String COMMIT_MARKER = "_COMMITTED.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The marker that makes a stage run's outputs visible. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CommitMarker(@JsonProperty("stage") String stage, @JsonProperty("chunk") String chunk,
                               @JsonProperty("run_id") String runId, @JsonProperty("fingerprint") String fingerprint,
                               @JsonProperty("outputs") List<String> outputs, @JsonProperty("committed_at") String committedAt) {
        public String toJson() {
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private Manifests() {
    }

    /** The manifest of a committed dataset directory, or null when it is missing, torn or not committed. */
    public static Manifest read(FileSystem fs, Path dir) throws IOException {
        Manifest m = readAny(fs, dir);
        if (m == null || m.runId() == null) {
            return m; // written before commit markers existed: the old protocol wrote manifests last
        }
        CommitMarker marker = readMarker(fs, new Path(dir, m.commit() == null ? "." : m.commit()));
        return marker != null && m.runId().equals(marker.runId()) ? m : null;
    }

    /** The manifest file as written, committed or not; null when missing or unreadable (torn, truncated). */
    public static Manifest readAny(FileSystem fs, Path dir) throws IOException {
        Path p = new Path(dir, Manifest.FILE_NAME);
        if (!fs.exists(p)) {
            return null;
        }
        try {
            return Manifest.fromJson(HadoopFiles.readString(fs, p));
        } catch (com.fasterxml.jackson.core.JacksonException | org.apache.hadoop.fs.ChecksumException e) {
            return null; // torn, truncated, or changed behind the checksum's back: not a commit we can trust
        }
    }

    /** True when the directory holds a manifest file, readable or not: lmforge wrote it. */
    public static boolean hasManifestFile(FileSystem fs, Path dir) throws IOException {
        return fs.exists(new Path(dir, Manifest.FILE_NAME));
    }

    public static CommitMarker readMarker(FileSystem fs, Path primaryDir) throws IOException {
        Path p = new Path(primaryDir, COMMIT_MARKER);
        if (!fs.exists(p)) {
            return null;
        }
        try {
            return JSON.readValue(HadoopFiles.readString(fs, p), CommitMarker.class);
        } catch (com.fasterxml.jackson.core.JacksonException | org.apache.hadoop.fs.ChecksumException e) {
            return null;
        }
    }
}
