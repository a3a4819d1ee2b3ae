package io.lmforge.dedup.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connected components of a small edge list in one process: union-find (union by size, path halving)
 * over string node ids, each component labelled with its lexicographically smallest node, the same
 * labels {@link ConnectedComponents}' distributed rounds converge to. Hand-written because it is
 * twenty lines and the graph libraries on the classpath (GraphX) are the distributed kind we avoid here.
 */
public final class UnionFind {
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private int[] parent = new int[16];
    private int[] size = new int[16];

    public void union(String a, String b) {
        int ra = find(id(a));
        int rb = find(id(b));
        if (ra == rb) {
            return;
        }
        if (size[ra] < size[rb]) {
            int t = ra;
            ra = rb;
            rb = t;
        }
        parent[rb] = ra;
        size[ra] += size[rb];
    }

    /** node -> smallest node of its component, for every node seen, in first-seen order. */
    public Map<String, String> labels() {
        String[] minOfRoot = new String[names.size()];
        for (int i = 0; i < names.size(); i++) {
            int r = find(i);
            if (minOfRoot[r] == null || names.get(i).compareTo(minOfRoot[r]) < 0) {
                minOfRoot[r] = names.get(i);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), minOfRoot[find(i)]);
        }
        return out;
    }

    private int id(String node) {
        Integer known = ids.get(node);
        if (known != null) {
            return known;
        }
        int i = names.size();
        if (i == parent.length) {
            parent = java.util.Arrays.copyOf(parent, i * 2);
            size = java.util.Arrays.copyOf(size, i * 2);
        }
        parent[i] = i;
        size[i] = 1;
        names.add(node);
        ids.put(node, i);
        return i;
    }

    private int find(int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }
}
