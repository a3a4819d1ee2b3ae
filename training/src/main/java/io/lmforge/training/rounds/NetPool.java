package io.lmforge.training.rounds;

import io.lmforge.training.optim.InnerStep;
import io.lmforge.training.optim.OptimizerSpec;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Models kept in an executor JVM between rounds, one per concurrently running task: building a
 * graph from its JSON and allocating its workspaces costs more than a small model's round, and two
 * tasks of one executor (local[N], executor cores > 1) must never share one.
 */
public final class NetPool {
    public record Worker(ComputationGraph net, InnerStep step) {
    }

    private static final Map<String, Queue<Worker>> POOL = new ConcurrentHashMap<>();

    private NetPool() {
    }

    public static Worker borrow(String configJson, OptimizerSpec optimizer) {
        Worker w = POOL.computeIfAbsent(key(configJson, optimizer), k -> new ConcurrentLinkedQueue<>()).poll();
        if (w != null) {
            return w;
        }
        return build(configJson, optimizer);
    }

    /** A new model from its configuration, outside the pool (a population member whose hyperparameters change between tasks). */
    public static Worker build(String configJson, OptimizerSpec optimizer) {
        ComputationGraph net = new ComputationGraph(ComputationGraphConfiguration.fromJson(configJson));
        net.init();
        return new Worker(net, optimizer.newStep());
    }

    public static void release(String configJson, OptimizerSpec optimizer, Worker w) {
        POOL.computeIfAbsent(key(configJson, optimizer), k -> new ConcurrentLinkedQueue<>()).add(w);
    }

    private static String key(String configJson, OptimizerSpec optimizer) {
        return io.lmforge.core.ids.StableId.hash(configJson + "|" + optimizer);
    }
}
