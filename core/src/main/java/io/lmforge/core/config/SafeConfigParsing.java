package io.lmforge.core.config;

import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;

import java.io.File;
import java.net.URL;

/**
 * How user configuration (--conf files, --set values) is parsed: HOCON without reaching outside the
 * process. {@code include} of any kind (a file, url(...), classpath(...)) is refused with one line, so a
 * config can neither fetch a URL nor read an arbitrary file; {@code ${VAR}} substitution does not look at
 * the environment (values that differ per machine are passed with --set by the caller's shell).
 */
public final class SafeConfigParsing {
    private SafeConfigParsing() {
    }

    public static ConfigParseOptions parseOptions() {
        return ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false).setIncluder(new RefusingIncluder());
    }

    public static ConfigResolveOptions resolveOptions() {
        return ConfigResolveOptions.defaults().setUseSystemEnvironment(false);
    }

    /** Every kind of include refused (Typesafe Config falls back to its own includer for kinds an includer does not implement). */
    private static final class RefusingIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
        @Override
        public ConfigIncluder withFallback(ConfigIncluder fallback) {
            return this;
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            throw refused("\"" + what + "\"");
        }

        @Override
        public ConfigObject includeFile(ConfigIncludeContext context, File what) {
            throw refused("file(" + what + ")");
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
            throw refused("url(" + what + ")");
        }

        @Override
        public ConfigObject includeResources(ConfigIncludeContext context, String what) {
            throw refused("classpath(" + what + ")");
        }

        private static ConfigError refused(String what) {
            return new ConfigError("config: include " + what + " is not allowed: lmforge configs cannot include other files or URLs "
                    + "(put the settings in the --conf file, or pass them with --set)");
        }
    }
}
