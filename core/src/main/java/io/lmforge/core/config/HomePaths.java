package io.lmforge.core.config;

import java.io.File;

/** Paths in config that name files shipped with lmforge (the demo's sample, the default models). */
public final class HomePaths {
    private HomePaths() {
    }

    /**
     * A URI or absolute path as is; a relative path against the lmforge checkout (the system property
     * lmforge.home, set by bin/pipeline), else against the working directory.
     */
    public static String resolve(String path) {
        if (path.contains("://") || new File(path).isAbsolute()) {
            return path;
        }
        String home = System.getProperty("lmforge.home");
        return home == null ? new File(path).getAbsolutePath() : new File(home, path).getPath();
    }
}
