package io.lmforge.core.stage;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Staging and commit of one stage run's outputs. Outputs under the root are staged in
 * _staging/&lt;lock name&gt;+&lt;run id&gt;/outN; an output elsewhere (export-hf --out) beside itself, so its
 * rename never crosses file systems. Commit: each staged directory gets its manifest, every previous
 * output (only if lmforge wrote it) is moved aside, the staged ones are renamed into the now-free
 * paths, and the commit marker is written into the primary output last. Only then are the replaced
 * copies deleted. Until the marker exists, readers see no output of this run.
 */
final class Publication {
    private final FileSystem fs;
    private final DatasetLayout layout;
    private final String lockName;
    private final String runId;
    private final String stage;
    private final Path dir;
    private final Map<StagePlan.Output, Path> staged = new LinkedHashMap<>();
    private final java.util.Set<Path> renamedIn = new java.util.LinkedHashSet<>();
    private final Map<Path, Path> aside = new LinkedHashMap<>(); // final path -> where its previous output waits

    Publication(FileSystem fs, DatasetLayout layout, String lockName, String runId, String stage) {
        this.fs = fs;
        this.layout = layout;
        this.lockName = lockName;
        this.runId = runId;
        this.stage = stage;
        this.dir = new Path(layout.staging(), lockName + "+" + runId);
    }

    Path dir() {
        return dir;
    }

    /** The file system of an output (one outside the root may live on another, e.g. export-hf --out on local disk). */
    private FileSystem fsOf(Path p) throws IOException {
        return p == null ? fs : p.getFileSystem(fs.getConf());
    }

    /** Where the computation writes {@code o}; not created, so Spark's writers (which refuse existing paths) can. */
    Path stagedPath(StagePlan.Output o, int index) {
        return staged.computeIfAbsent(o, k -> outsideRoot(k) ? sibling(k.finalPath(), "tmp") : new Path(dir, "out" + index));
    }

    Path scratch(String name) throws IOException {
        Path p = new Path(new Path(dir, "scratch"), name);
        fs.mkdirs(p.getParent());
        return p;
    }

    private boolean outsideRoot(StagePlan.Output o) {
        try {
            return o.finalPath() != null && !layout.contains(fs, o.finalPath());
        } catch (IllegalArgumentException e) { // another file system: makeQualified refuses its paths
            return true;
        }
    }

    private Path sibling(Path finalPath, String kind) {
        return new Path(finalPath.getParent(), finalPath.getName() + ".lmforge-" + runId + "." + kind);
    }

    /**
     * Leftovers of earlier runs of this stage and scope that died (we hold the lock, so none is
     * running): their staging directories, and the siblings of outputs outside the root.
     */
    void removeLeftovers(List<StagePlan.Output> outputs) throws IOException {
        if (fs.exists(layout.staging())) {
            Pattern ours = Pattern.compile(Pattern.quote(lockName) + "\\+[0-9a-f]{12}");
            for (FileStatus st : fs.listStatus(layout.staging())) {
                if (ours.matcher(st.getPath().getName()).matches()) {
                    fs.delete(st.getPath(), true);
                }
            }
        }
        for (StagePlan.Output o : outputs) {
            FileSystem ofs = fsOf(o.finalPath());
            if (outsideRoot(o) && ofs.exists(o.finalPath().getParent())) {
                Pattern ours = Pattern.compile(Pattern.quote(o.finalPath().getName()) + "\\.lmforge-[0-9a-f]{12}\\.(tmp|old)");
                for (FileStatus st : ofs.listStatus(o.finalPath().getParent())) {
                    if (ours.matcher(st.getPath().getName()).matches()) {
                        ofs.delete(st.getPath(), true);
                    }
                }
            }
        }
    }

    /** Refuses (exit 2) an output path holding something lmforge's {@code stage} did not write: nothing is ever deleted that we did not create. */
    void checkReplaceable(StagePlan.Output o) throws IOException {
        Path p = o.finalPath();
        FileSystem ofs = fsOf(p);
        if (p == null || !ofs.exists(p)) {
            return;
        }
        FileStatus st = ofs.getFileStatus(p);
        if (st.isDirectory() && ofs.listStatus(p).length == 0) {
            return;
        }
        if (st.isDirectory() && Manifests.hasManifestFile(ofs, p)) {
            Manifest m = Manifests.readAny(ofs, p);
            if (m == null || m.stage() == null || m.stage().equals(stage)) {
                return; // ours (a torn manifest is a crashed earlier run of ours)
            }
            throw new ConfigError(stage + ": refusing to replace " + p + ": it holds the output of stage '" + m.stage()
                    + "'; choose another path");
        }
        throw new ConfigError(stage + ": refusing to write to " + p + ": it exists and was not written by lmforge " + stage
                + " (no " + Manifest.FILE_NAME + "); choose an empty or new directory, or move it away");
    }

    /** Commits the staged outputs: manifests, move previous outputs aside, rename, marker last. */
    void publish(List<StagePlan.Output> outputs, Manifest manifest, String chunk) throws IOException {
        Path primary = outputs.get(0).finalPath();
        for (int i = 0; i < outputs.size(); i++) {
            StagePlan.Output o = outputs.get(i);
            FileSystem ofs = fsOf(o.finalPath());
            Path s = stagedPath(o, i);
            if (!ofs.exists(s)) {
                ofs.mkdirs(s); // an output with no rows is still a committed, empty dataset
            }
            HadoopFiles.writeAtomically(ofs, new Path(s, Manifest.FILE_NAME), manifest.withCommit(relative(o.finalPath(), primary)).toJson());
        }
        for (int i = 0; i < outputs.size(); i++) {
            StagePlan.Output o = outputs.get(i);
            FileSystem ofs = fsOf(o.finalPath());
            moveAside(o);
            ofs.mkdirs(o.finalPath().getParent());
            if (!ofs.rename(stagedPath(o, i), o.finalPath())) {
                throw new IOException("cannot rename " + stagedPath(o, i) + " to " + o.finalPath());
            }
            renamedIn.add(o.finalPath());
        }
        StageEvents.fire(stage, chunk, StageEvents.Point.RENAMED);
        List<String> finals = outputs.stream().map(o -> o.finalPath().toString()).toList();
        HadoopFiles.writeAtomically(fsOf(primary), new Path(primary, Manifests.COMMIT_MARKER),
                new Manifests.CommitMarker(stage, chunk, runId, manifest.fingerprint(), finals, Instant.now().toString()).toJson());
        StageEvents.fire(stage, chunk, StageEvents.Point.COMMITTED);
    }

    private void moveAside(StagePlan.Output o) throws IOException {
        Path p = o.finalPath();
        FileSystem ofs = fsOf(p);
        if (!ofs.exists(p)) {
            return;
        }
        checkReplaceable(o);
        if (ofs.getFileStatus(p).isDirectory() && ofs.listStatus(p).length == 0) {
            ofs.delete(p, false); // an empty directory: non-recursive
            return;
        }
        Path to = outsideRoot(o) ? sibling(p, "old") : new Path(new Path(dir, "replaced"), "out" + aside.size());
        ofs.mkdirs(to.getParent());
        if (!ofs.rename(p, to)) {
            throw new IOException("cannot move the previous output " + p + " aside to " + to);
        }
        aside.put(p, to);
    }

    /** After the commit: the replaced outputs and the staging directory go. */
    void cleanUp() throws IOException {
        for (Path p : aside.values()) {
            fsOf(p).delete(p, true);
        }
        fs.delete(dir, true);
    }

    /** After a failure: this run's staged files go; previous outputs moved aside go back, committed as before. */
    void abort() {
        try {
            for (Path p : renamedIn) {
                fsOf(p).delete(p, true); // this run's outputs, renamed in but never committed (no marker)
            }
            for (Map.Entry<Path, Path> e : aside.entrySet()) {
                fsOf(e.getKey()).rename(e.getValue(), e.getKey());
            }
            fs.delete(dir, true);
            for (Path p : staged.values()) {
                if (!p.toString().startsWith(dir.toString())) {
                    fsOf(p).delete(p, true);
                }
            }
        } catch (IOException ignored) {
            // best effort: the next run of this stage removes leftovers (removeLeftovers)
        }
    }

    /** {@code to} relative to {@code from} ("." when equal), so a moved root keeps its commit links. */
    static String relative(Path from, Path to) {
        java.net.URI f = from.toUri();
        java.net.URI t = to.toUri();
        if (!Objects.equals(f.getScheme(), t.getScheme()) || !Objects.equals(f.getAuthority(), t.getAuthority())) {
            return to.toString();
        }
        String rel = Paths.get(f.getPath()).relativize(Paths.get(t.getPath())).toString();
        return rel.isEmpty() ? "." : rel;
    }
}
