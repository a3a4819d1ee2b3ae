package io.lmforge.core.commit;

/** Another run holds the lock a stage needs: the job cannot run now (exit status 1), nothing was touched. */
public final class LockedException extends RuntimeException {
    public LockedException(String message) {
        super(message);
    }
}
