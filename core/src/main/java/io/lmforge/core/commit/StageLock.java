package io.lmforge.core.commit;

import io.lmforge.core.dataset.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/**
 * An exclusive lock as a file on the dataset root's file system: created only if absent (see
 * {@link HadoopFiles#createExclusive}), holding its owner (pid, host, process start time), deleted on
 * release. A lock whose owner provably died (same host, no such process) is taken over with a note
 * on the console; any other held lock is reported with its owner and how to clear it, never broken.
 */
public final class StageLock implements AutoCloseable {
    private final FileSystem fs;
    private final Path file;
    private final LockOwner owner;

    private StageLock(FileSystem fs, Path file, LockOwner owner) {
        this.fs = fs;
        this.file = file;
        this.owner = owner;
    }

    /** Takes the lock now or throws {@link LockedException} naming the holder. */
    public static StageLock acquire(FileSystem fs, Path file, LockOwner me, PrintStream console) throws IOException {
        StageLock lock = tryAcquire(fs, file, me, console);
        if (lock == null) {
            throw locked(fs, file, me);
        }
        return lock;
    }

    /**
     * Waits for the lock (another run of a stage sharing it, e.g. the dedup index, must finish first),
     * printing who holds it every {@code reportEverySeconds}; throws {@link LockedException} after
     * {@code maxWaitSeconds}.
     */
    public static StageLock acquireWaiting(FileSystem fs, Path file, LockOwner me, PrintStream console, long maxWaitSeconds,
                                           int reportEverySeconds, Runnable onWait) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long lastReport = Long.MIN_VALUE;
        while (true) {
            StageLock lock = tryAcquire(fs, file, me, console);
            if (lock != null) {
                return lock;
            }
            long waited = (System.nanoTime() - start) / 1_000_000_000L;
            if (waited >= maxWaitSeconds) {
                throw locked(fs, file, me);
            }
            if (lastReport == Long.MIN_VALUE || waited - lastReport >= Math.max(1, reportEverySeconds)) {
                LockOwner holder = holder(fs, file);
                console.printf(Locale.ROOT, "%s: waiting for %s, held by %s (%d s so far)%n", me.what(), file.getName(),
                        holder == null ? "a run that is releasing it" : holder.describe(), waited);
                lastReport = waited;
                onWait.run();
            }
            Thread.sleep(250);
        }
    }

    private static StageLock tryAcquire(FileSystem fs, Path file, LockOwner me, PrintStream console) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (HadoopFiles.createExclusive(fs, file, me.toJson())) {
                return new StageLock(fs, file, me);
            }
            LockOwner holder = holder(fs, file);
            if (holder == null || !holder.provablyDead()) {
                return null; // held (or being released: the next attempt sees it gone)
            }
            // Move the dead holder's file aside first: of two runs taking over at once, one rename wins.
            Path aside = new Path(file.getParent(), file.getName() + ".stale-" + me.runId());
            if (fs.rename(file, aside)) {
                console.printf("%s: the lock %s was held by %s, which is no longer running (killed?): taking it over%n",
                        me.what(), file, holder.describe());
                fs.delete(aside, false);
            }
        }
        return null;
    }

    private static LockOwner holder(FileSystem fs, Path file) throws IOException {
        try {
            return LockOwner.fromJson(HadoopFiles.readString(fs, file));
        } catch (java.io.FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            return null; // torn while being written: treated as held, never broken
        }
    }

    private static LockedException locked(FileSystem fs, Path file, LockOwner me) throws IOException {
        LockOwner holder = holder(fs, file);
        return new LockedException(me.what() + " is locked by " + (holder == null ? "another run" : holder.describe() + " (" + holder.what() + ")")
                + ": wait for it to finish; if no such run is active (its machine died), remove " + file + " and run again");
    }

    public LockOwner owner() {
        return owner;
    }

    /** Deletes the lock file if it is still this run's. */
    @Override
    public void close() throws IOException {
        LockOwner holder = holder(fs, file);
        if (holder != null && holder.runId().equals(owner.runId())) {
            fs.delete(file, false);
        }
    }
}
