package io.lmforge.core.config;

import java.io.File;

/** Paths in config that name files shipped with lmforge (the demo's sample, the default models). */
public final class HomePaths {
    private HomePaths() {
    }

    /**
     * A URI or absolute path as is; a relative path against the lmforge checkout (the system property
     * lmforge.home, set by bin/pipeline, or the environment variable LMFORGE_HOME, which schedulers
     * set for spark-submit), else against the working directory.
     */
    public static String resolve(String path) {
        if (path.contains("://") || new File(path).isAbsolute()) {
            return path;
        }
        String home = System.getProperty("lmforge.home");
        if (home == null || home.isEmpty()) {
            String env = System.getenv("LMFORGE_HOME");
            home = env == null || env.isEmpty() ? null : env;
        }
        return home == null ? new File(path).getAbsolutePath() : new File(home, path).getPath();
    }
}
