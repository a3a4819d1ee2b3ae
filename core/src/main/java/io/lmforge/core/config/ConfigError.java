package io.lmforge.core.config;

/**
 * A problem with configuration or command-line arguments. The CLI prints only the message
 * (one line naming the key or path) and exits with status 2: these are user errors, not bugs.
 */
public class ConfigError extends RuntimeException {
    public ConfigError(String message) {
        super(message);
    }
}
