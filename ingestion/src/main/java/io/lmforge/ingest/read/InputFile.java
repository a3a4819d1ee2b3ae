package io.lmforge.ingest.read;

import java.io.Serializable;

/**
 * One resolved input file.
 *
 * @param path   fully qualified path (what `source` records)
 * @param key    path relative to the input spec's base directory: the part of the document id
 *               that stays the same when a dataset moves between machines or file systems
 * @param format the format it is read as
 */
public record InputFile(String path, String key, InputFormat format, long size, long modified) implements Serializable {
}
