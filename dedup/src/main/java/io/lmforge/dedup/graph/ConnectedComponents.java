package io.lmforge.dedup.graph;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;

/**
 * Connected components of an undirected graph with the large-star / small-star algorithm
 * (Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014), as Spark joins
 * and aggregations: no step collects the graph to the driver or to one task, so it scales with
 * the cluster and spills instead of running out of memory. Node ids are strings compared
 * lexicographically; every component is labelled with its smallest node, which makes the
 * result independent of partitioning and order. A graph of at most {@code localMaxEdges} distinct
 * edges (a daily chunk's near-duplicates: thousands) is instead solved on the driver by
 * {@link UnionFind} with the same labels: the distributed rounds cost a Spark job each, which for
 * a small graph is all overhead (the 15 MB benchmark: 48 jobs, 7.6 s of a 28 s stage).
 */
public final class ConnectedComponents {
    static final StructType LABELS = new StructType().add("node", DataTypes.StringType).add("component", DataTypes.StringType);

    private ConnectedComponents() {
    }

    /**
     * @param edges rows (src, dst) of string node ids; self-loops and duplicates are allowed
     * @param localMaxEdges up to this many distinct edges, solve on the driver (0: always distributed)
     * @param onIteration told each distributed round's number; never called when solved on the driver
     * @return rows (node, component) for every node that appears in an edge; component = min node
     */
    public static Dataset<Row> run(Dataset<Row> edges, int maxIterations, int localMaxEdges, IntConsumer onIteration) {
        // cached, not checkpointed: a small graph (the usual case) is read once, by the collect below, and an
        // eager checkpoint was a Spark execution of its own; the rounds checkpoint what they derive from it
        Dataset<Row> e = normalise(edges.select(col("src"), col("dst"))).persist(StorageLevel.MEMORY_AND_DISK());
        if (localMaxEdges > 0) {
            List<Row> few = e.limit(localMaxEdges + 1).collectAsList();
            if (few.size() <= localMaxEdges) {
                e.unpersist();
                return onDriver(e.sparkSession(), few);
            }
        }
        for (int i = 1; i <= maxIterations; i++) {
            Dataset<Row> next = smallStar(largeStar(e)).localCheckpoint(true);
            long changed = next.exceptAll(e).count() + e.exceptAll(next).count();
            e.unpersist();
            e = next;
            if (onIteration != null) {
                onIteration.accept(i);
            }
            if (changed == 0) {
                // converged: every edge points from a node to its component's minimum
                Dataset<Row> labels = e.select(col("src").as("node"), col("dst").as("component"));
                Dataset<Row> roots = e.select(col("dst").as("node"), col("dst").as("component"));
                return labels.union(roots).distinct();
            }
        }
        throw new IllegalStateException("connected components did not converge in " + maxIterations
                + " iterations (dedup.fuzzy.max-iterations)");
    }

    private static Dataset<Row> onDriver(SparkSession spark, List<Row> edges) {
        UnionFind uf = new UnionFind();
        for (Row r : edges) {
            uf.union(r.getString(0), r.getString(1));
        }
        List<Row> labels = new ArrayList<>();
        uf.labels().forEach((node, component) -> labels.add(RowFactory.create(node, component)));
        return spark.createDataFrame(labels, LABELS);
    }

    /** Edges as (larger, smaller) pairs without self-loops or duplicates. */
    private static Dataset<Row> normalise(Dataset<Row> edges) {
        return edges.filter(col("src").notEqual(col("dst")))
                .select(greatest(col("src"), col("dst")).as("src"), least(col("src"), col("dst")).as("dst"))
                .distinct();
    }

    /** For each node u: connect every strictly larger neighbour to m(u) = min(u, neighbours). */
    private static Dataset<Row> largeStar(Dataset<Row> e) {
        Dataset<Row> both = e.select(col("src").as("u"), col("dst").as("v"))
                .union(e.select(col("dst").as("u"), col("src").as("v")));
        Dataset<Row> m = both.groupBy("u").agg(functions.min("v").as("mv"))
                .select(col("u").as("mu"), least(col("u"), col("mv")).as("m"));
        return normalise(both.join(m, both.col("u").equalTo(m.col("mu"))).filter(col("v").gt(col("u")))
                .select(col("v").as("src"), col("m").as("dst")));
    }

    /** For each node u: connect u and its smaller neighbours to m(u) = min(u, smaller neighbours). */
    private static Dataset<Row> smallStar(Dataset<Row> e) {
        // e is already oriented (src > dst): dst is a smaller neighbour of src
        Dataset<Row> m = e.groupBy("src").agg(functions.min("dst").as("mv"))
                .select(col("src").as("mu"), least(col("src"), col("mv")).as("m"));
        Dataset<Row> joined = e.join(m, e.col("src").equalTo(m.col("mu")));
        Dataset<Row> fromNeighbours = joined.select(col("dst").as("src"), col("m").as("dst"));
        Dataset<Row> fromSelf = joined.select(col("src").as("src"), col("m").as("dst"));
        return normalise(fromNeighbours.union(fromSelf));
    }
}
