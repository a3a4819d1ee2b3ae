package io.lmforge.core.daemon;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The client side of the pipeline daemon, started by `bin/pipeline` in a small JVM (no Spark on its
 * class path). Exit status: the run's own (0, 1, 2), or {@link #NOT_SERVED} when the daemon ran nothing
 * (none listening, busy, another jar or working directory): `bin/pipeline` then starts its own JVM.
 */
public final class DaemonClient {
    /** EX_TEMPFAIL: nothing ran; run it yourself. */
    public static final int NOT_SERVED = 75;
    /** `daemon status` or `daemon stop` with no daemon listening (as `systemctl status` says "not running"). */
    public static final int NOT_RUNNING = 3;

    private DaemonClient() {
    }

    /** args: DIR KEY (run|status|stop) [pipeline args...] */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: DaemonClient DIR KEY run|status|stop [ARGS...] (used by bin/pipeline)");
            System.exit(2);
        }
        DaemonProtocol.Kind kind = DaemonProtocol.Kind.valueOf(args[2].toUpperCase(java.util.Locale.ROOT));
        List<String> rest = Arrays.asList(args).subList(3, args.length);
        String cwd = Path.of("").toAbsolutePath().toString();
        System.exit(call(Path.of(args[0]), new DaemonProtocol.Request(kind, args[1], cwd, rest), System.out, System.err));
    }

    static int call(Path dir, DaemonProtocol.Request request, PrintStream out, PrintStream err) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(dir.resolve(DaemonProtocol.SOCKET)));
        } catch (IOException e) {
            if (request.kind() != DaemonProtocol.Kind.RUN) {
                err.println("bin/pipeline: no pipeline daemon is running (" + dir + ")");
                return NOT_RUNNING;
            }
            return NOT_SERVED;
        }
        boolean[] accepted = {false};
        try (channel) {
            request.write(new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel))));
            return answer(new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel))), request, out, err, accepted);
        } catch (IOException e) {
            if (!accepted[0]) {
                return NOT_SERVED; // nothing ran
            }
            err.println("bin/pipeline: lost the pipeline daemon during the run: " + e.getMessage());
            return 1;
        }
    }

    private static int answer(DataInputStream in, DaemonProtocol.Request request, PrintStream out, PrintStream err,
                              boolean[] accepted) throws IOException {
        for (DaemonProtocol.Frame f = DaemonProtocol.Frame.read(in); f != null; f = DaemonProtocol.Frame.read(in)) {
            switch (f.type()) {
                case DaemonProtocol.ACCEPTED -> accepted[0] = true;
                case DaemonProtocol.REFUSED -> {
                    err.println("bin/pipeline: the pipeline daemon did not take this run (" + f.text() + "); running it in a new JVM");
                    return NOT_SERVED;
                }
                case DaemonProtocol.STDOUT -> out.write(f.data(), 0, f.data().length);
                case DaemonProtocol.STDERR -> err.write(f.data(), 0, f.data().length);
                case DaemonProtocol.INFO -> out.print(f.text());
                case DaemonProtocol.EXIT -> {
                    out.flush();
                    err.flush();
                    return Integer.parseInt(f.text());
                }
                default -> throw new IOException("unknown frame type " + f.type());
            }
        }
        if (!accepted[0] && request.kind() == DaemonProtocol.Kind.RUN) {
            return NOT_SERVED; // it closed before taking the run: nothing ran
        }
        err.println("bin/pipeline: the pipeline daemon stopped before the command finished");
        return 1;
    }
}
