package io.lmforge.core.stage;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The moments of a stage run's protocol, for listeners in this JVM (progress, tracking, tests that
 * hold a run at a point) and for fault injection: with LMFORGE_CRASH_AT=&lt;stage&gt;:&lt;point&gt; in the
 * environment the JVM halts at that point exactly as `kill -9` would (no shutdown hooks, no finally
 * blocks), which is how the crash-recovery tests kill a stage between two steps of its commit.
 */
public final class StageEvents {
    /** In protocol order. */
    public enum Point {
        /** waiting for a lock another run holds (fired once per report) */
        WAITING,
        /** every lock held, nothing written yet */
        LOCKED,
        /** the computation finished: staged outputs complete, nothing visible */
        COMPUTED,
        /** every output renamed into place, the commit marker not yet written: nothing readable */
        RENAMED,
        /** the commit marker written: outputs readable; replaced copies and after-commit steps pending */
        COMMITTED
    }

    public interface Listener {
        void on(String stage, String chunk, Point point);
    }

    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();
    private static final String CRASH_AT = System.getenv("LMFORGE_CRASH_AT");

    private StageEvents() {
    }

    public static void add(Listener l) {
        LISTENERS.add(l);
    }

    public static void remove(Listener l) {
        LISTENERS.remove(l);
    }

    static void fire(String stage, String chunk, Point point) {
        if (CRASH_AT != null && CRASH_AT.equalsIgnoreCase(stage + ":" + point.name())) {
            System.out.printf(Locale.ROOT, "LMFORGE_CRASH_AT=%s: halting this JVM now%n", CRASH_AT);
            System.out.flush();
            Runtime.getRuntime().halt(137);
        }
        for (Listener l : LISTENERS) {
            l.on(stage, chunk, point);
        }
    }
}
