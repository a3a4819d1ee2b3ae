package io.lmforge.core.stage;

import java.util.Collection;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Stages found on the classpath through ServiceLoader, by name. */
public final class StageRegistry {
    private final Map<String, Stage> stages = new TreeMap<>();

    public StageRegistry() {
        for (Stage s : ServiceLoader.load(Stage.class, StageRegistry.class.getClassLoader())) {
            Stage previous = stages.put(s.name(), s);
            if (previous != null) {
                throw new IllegalStateException("two stages named " + s.name() + ": "
                        + previous.getClass().getName() + " and " + s.getClass().getName());
            }
        }
    }

    public Stage get(String name) {
        return stages.get(name);
    }

    public Collection<Stage> all() {
        return stages.values();
    }
}
