package io.lmforge.core.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What `bin/pipeline` and the pipeline daemon say to each other over the daemon's Unix domain socket.
 * The client sends one {@link Request}; the daemon answers with frames (a type byte, a length, the
 * bytes): ACCEPTED or REFUSED first, then the run's stdout and stderr as they are written, then EXIT
 * with the status. A client that gets REFUSED (or no answer) has run nothing and starts its own JVM.
 */
final class DaemonProtocol {
    static final int VERSION = 1;
    static final String SOCKET = "pipeline.sock";

    static final byte ACCEPTED = 1;
    static final byte REFUSED = 2;
    static final byte STDOUT = 3;
    static final byte STDERR = 4;
    static final byte EXIT = 5;
    static final byte INFO = 6;

    /** What the client asks: run a command line, report status, or stop the daemon. */
    enum Kind { RUN, STATUS, STOP }

    /** One request. {@code key} names the jar, the JDK and the JVM options the client would start with. */
    record Request(Kind kind, String key, String cwd, List<String> args) {
        void write(DataOutputStream out) throws IOException {
            out.writeInt(VERSION);
            out.writeUTF(kind.name());
            writeString(out, key);
            writeString(out, cwd);
            out.writeInt(args.size());
            for (String a : args) {
                writeString(out, a);
            }
            out.flush();
        }

        static Request read(DataInputStream in) throws IOException {
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("protocol version " + version + ", this daemon speaks " + VERSION);
            }
            Kind kind = Kind.valueOf(in.readUTF());
            String key = readString(in);
            String cwd = readString(in);
            int n = in.readInt();
            if (n < 0 || n > 100_000) {
                throw new IOException("bad argument count " + n);
            }
            List<String> args = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                args.add(readString(in));
            }
            return new Request(kind, key, cwd, args);
        }
    }

    /** One answer frame. */
    record Frame(byte type, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        /** The frame, or null at the end of the stream. */
        static Frame read(DataInputStream in) throws IOException {
            int type;
            try {
                type = in.readByte();
            } catch (EOFException e) {
                return null;
            }
            int n = in.readInt();
            if (n < 0 || n > (64 << 20)) {
                throw new IOException("bad frame length " + n);
            }
            byte[] data = in.readNBytes(n);
            if (data.length != n) {
                return null;
            }
            return new Frame((byte) type, data);
        }
    }

    static void writeFrame(DataOutputStream out, byte type, byte[] data, int off, int len) throws IOException {
        synchronized (out) {
            out.writeByte(type);
            out.writeInt(len);
            out.write(data, off, len);
            out.flush();
        }
    }

    static void writeFrame(DataOutputStream out, byte type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        writeFrame(out, type, b, 0, b.length);
    }

    static void writeExit(DataOutputStream out, int status) throws IOException {
        writeFrame(out, EXIT, Integer.toString(status));
    }

    // writeUTF stops at 64 KB; an argument (a long --set list) may not
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (16 << 20)) {
            throw new IOException("bad string length " + n);
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException();
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private DaemonProtocol() {
    }
}
