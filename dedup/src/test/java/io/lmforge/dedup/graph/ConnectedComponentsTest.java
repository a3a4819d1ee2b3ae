package io.lmforge.dedup.graph;

import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectedComponentsTest {
    static final StructType EDGES = new StructType().add("src", DataTypes.StringType).add("dst", DataTypes.StringType);

    /** The components both ways (distributed rounds, and on the driver), asserting they agree. */
    static Map<String, String> run(List<Row> edges) {
        int[] rounds = {0};
        Map<String, String> distributed = labels(ConnectedComponents.run(SharedSpark.get().createDataFrame(edges, EDGES), 50, 0, i -> rounds[0] = i).collectAsList());
        assertTrue(edges.isEmpty() || rounds[0] > 0, "localMaxEdges 0 runs the distributed rounds");
        rounds[0] = 0;
        List<Row> local = ConnectedComponents.run(SharedSpark.get().createDataFrame(edges, EDGES), 50, Math.max(1, edges.size()), i -> rounds[0] = i).collectAsList();
        assertEquals(0, rounds[0], "a graph within localMaxEdges is solved on the driver");
        assertEquals(local.size(), labels(local).size(), "one row per node");
        assertEquals(distributed, labels(local));
        return distributed;
    }

    static Map<String, String> labels(List<Row> rows) {
        Map<String, String> out = new HashMap<>();
        for (Row r : rows) {
            out.put(r.getString(0), r.getString(1));
        }
        return out;
    }

    @Test
    void aGraphOverTheDriverLimitRunsDistributedAndAnEmptyOneGivesNoLabels() {
        List<Row> e = List.of(RowFactory.create("b", "a"), RowFactory.create("c", "b"), RowFactory.create("d", "c"));
        int[] rounds = {0};
        Map<String, String> cc = labels(ConnectedComponents.run(SharedSpark.get().createDataFrame(e, EDGES), 50, 2, i -> rounds[0] = i).collectAsList());
        assertTrue(rounds[0] > 0, "3 distinct edges over a limit of 2 go to the distributed rounds");
        assertEquals(Map.of("a", "a", "b", "a", "c", "a", "d", "a"), cc);
        assertEquals(Map.of(), run(List.of()));
    }

    @Test
    void chainsStarsAndSeparateComponentsGetTheirMinimum() {
        List<Row> e = List.of(RowFactory.create("e", "d"), RowFactory.create("d", "c"), RowFactory.create("c", "b"), // chain b-c-d-e
                RowFactory.create("x", "z"), RowFactory.create("y", "z"), RowFactory.create("z", "z"));           // star around z, self-loop
        Map<String, String> cc = run(e);
        assertEquals(Map.of("b", "b", "c", "b", "d", "b", "e", "b", "x", "x", "y", "x", "z", "x"), cc);
    }

    @Test
    void agreesWithUnionFindOnARandomGraph() {
        Random rnd = new Random(5);
        int n = 1500;
        List<Row> edges = new ArrayList<>();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (int k = 0; k < 1200; k++) {
            int a = rnd.nextInt(n);
            int b = rnd.nextInt(n);
            edges.add(RowFactory.create(String.format("%05d", a), String.format("%05d", b)));
            parent[find(parent, a)] = find(parent, b);
        }
        Map<Integer, Integer> minOfRoot = new HashMap<>();
        for (Row r : edges) {
            for (int i = 0; i < 2; i++) {
                int v = Integer.parseInt(r.getString(i));
                minOfRoot.merge(find(parent, v), v, Math::min);
            }
        }
        Map<String, String> cc = run(edges);
        for (Map.Entry<String, String> e : cc.entrySet()) {
            int v = Integer.parseInt(e.getKey());
            assertEquals(String.format("%05d", minOfRoot.get(find(parent, v))), e.getValue(), "node " + v);
        }
    }

    static int find(int[] p, int x) {
        while (p[x] != x) {
            p[x] = p[p[x]];
            x = p[x];
        }
        return x;
    }
}
