package io.lmforge.training.pbt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.training.export.SafeTensors;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The population as a run's checkpoint keeps it, beside the best member's model.zip:
 * population/population.json (ready points so far, the best member, each member's hyperparameters,
 * step and score) and population/member-&lt;i&gt;.safetensors (its parameters and optimiser state).
 * Plain floats and JSON: nothing to execute on load.
 */
public record Population(List<Member> members, long readyPoints, int best) {
    public static final String DIR = "population";
    private static final String FILE = "population.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static boolean existsIn(FileSystem fs, Path checkpoint) throws IOException {
        return fs.exists(new Path(new Path(checkpoint, DIR), FILE));
    }

    public void save(FileSystem fs, Path checkpoint) throws IOException {
        Path dir = new Path(checkpoint, DIR);
        fs.mkdirs(dir);
        ObjectNode root = JSON.createObjectNode().put("ready_points", readyPoints).put("best", best).put("population", members.size());
        ArrayNode list = root.putArray("members");
        for (Member m : members) {
            ObjectNode o = list.addObject().put("id", m.id()).put("iteration", m.iteration());
            if (Double.isNaN(m.score())) {
                o.putNull("score"); // not scored yet, or diverged: JSON has no NaN
            } else {
                o.put("score", m.score());
            }
            ObjectNode h = o.putObject("hyperparameters");
            m.hyper().forEach(h::put);
            Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
            t.put("params", new SafeTensors.Tensor(m.params(), new long[]{m.params().length}));
            t.put("inner", new SafeTensors.Tensor(m.inner(), new long[]{m.inner().length}));
            try (FSDataOutputStream out = fs.create(memberFile(dir, m.id()), true)) {
                out.write(SafeTensors.write(t, Map.of("member", String.valueOf(m.id()))));
            }
        }
        HadoopFiles.writeString(fs, new Path(dir, FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    public static Population load(FileSystem fs, Path checkpoint) throws IOException {
        Path dir = new Path(checkpoint, DIR);
        JsonNode root = JSON.readTree(HadoopFiles.readString(fs, new Path(dir, FILE)));
        List<Member> members = new ArrayList<>();
        for (JsonNode o : root.get("members")) {
            int id = o.get("id").asInt();
            Map<String, Double> hyper = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.get("hyperparameters").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                hyper.put(e.getKey(), e.getValue().asDouble());
            }
            byte[] bytes;
            try (var in = fs.open(memberFile(dir, id))) {
                bytes = in.readAllBytes();
            }
            Map<String, SafeTensors.Tensor> t = SafeTensors.read(bytes);
            members.add(new Member(id, hyper, t.get("params").values(), t.get("inner").values(), o.get("iteration").asInt(),
                    o.get("score").isNull() ? Double.NaN : o.get("score").asDouble()));
        }
        return new Population(members, root.get("ready_points").asLong(), root.get("best").asInt());
    }

    private static Path memberFile(Path dir, int id) {
        return new Path(dir, "member-" + id + ".safetensors");
    }
}
