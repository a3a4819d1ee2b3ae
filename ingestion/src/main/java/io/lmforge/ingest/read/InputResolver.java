package io.lmforge.ingest.read;

import io.lmforge.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/** Expands ingest.input.paths (files, directories, globs) into a sorted, de-duplicated list of files. */
public final class InputResolver {
    private InputResolver() {
    }

    public static List<InputFile> resolve(List<String> specs, InputFormat forced, Configuration conf) throws IOException {
        if (specs.isEmpty()) {
            throw new ConfigError("config key 'ingest.input.paths' is empty: give the files, directories or globs to ingest");
        }
        TreeMap<String, InputFile> files = new TreeMap<>();
        for (String spec : specs) {
            Path p = new Path(spec);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw new ConfigError("ingest.input.paths: '" + spec + "' matches no file");
            }
            Path base = baseOf(fs.makeQualified(p));
            for (FileStatus m : matches) {
                if (m.isDirectory()) {
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                    while (it.hasNext()) {
                        add(files, it.next(), base, forced, fs.makeQualified(m.getPath()));
                    }
                } else {
                    add(files, m, base, forced, null);
                }
            }
        }
        List<InputFile> out = new ArrayList<>(files.values());
        out.sort(Comparator.comparing(InputFile::key));
        return out;
    }

    private static void add(TreeMap<String, InputFile> files, FileStatus st, Path base, InputFormat forced, Path dir) {
        String name = st.getPath().getName();
        if (name.startsWith(".") || name.startsWith("_") || name.endsWith(".crc")) {
            return; // hidden, Hadoop/Spark markers (_SUCCESS, _MANIFEST.json) and checksums
        }
        InputFormat format = forced != null ? forced : InputFormat.fromFileName(name);
        if (format == null) {
            throw new ConfigError("ingest.input.format=auto cannot tell the format of '" + st.getPath()
                    + "' from its name; rename it (.jsonl, .txt, .wet or .warc, each optionally .gz, .zst, .bz2 or .xz; .parquet) or set ingest.input.format");
        }
        String full = st.getPath().toString();
        String key = relative(base, st.getPath(), dir);
        files.putIfAbsent(full, new InputFile(full, key, format, st.getLen(), st.getModificationTime()));
    }

    /** For a glob, the directory above its first glob component ("data/in/*.jsonl" -> "data/in"); else the path itself. */
    static Path baseOf(Path spec) {
        Path cur = spec;
        while (cur != null && containsGlob(cur.toString())) {
            cur = cur.getParent();
        }
        return cur;
    }

    private static boolean containsGlob(String s) {
        return s.contains("*") || s.contains("?") || s.contains("[") || s.contains("{");
    }

    /**
     * Key of a file: relative to the directory it was found under (directory specs), to the glob's
     * base (glob specs), or its bare name (file specs). Together with the chunk id this names the
     * file independently of where the dataset is mounted.
     */
    static String relative(Path base, Path file, Path matchedDir) {
        String f = file.toUri().getPath();
        String anchor = matchedDir != null ? matchedDir.toUri().getPath() : base == null ? null : base.toUri().getPath();
        if (anchor != null && f.startsWith(anchor + "/")) {
            return f.substring(anchor.length() + 1);
        }
        return file.getName();
    }
}
