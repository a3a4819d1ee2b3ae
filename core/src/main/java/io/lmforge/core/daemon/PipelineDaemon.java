package io.lmforge.core.daemon;

import io.lmforge.core.cli.PipelineMain;
import io.lmforge.core.spark.SparkSessions;
import io.lmforge.core.stage.StageEvents;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * `bin/pipeline daemon start`: one long-lived JVM and Spark application that runs `bin/pipeline`
 * command lines for clients on the same machine (a Gradle/Kotlin-daemon for the pipeline). A stage
 * run's fixed cost — JVM start, class loading, Spark start, JIT compilation of Spark and of our
 * kernels — is paid once instead of per run, which is most of the CPU of a small daily chunk
 * (docs/performance.md). Each request runs through {@link PipelineMain#run} exactly as a cold run does,
 * so every stage still goes through its own protocol (locks, staging, commit).
 * <p>
 * Rules that keep a served run the same as a cold one: the client's jar, JDK and JVM options must be
 * the daemon's (the key); its working directory must be the daemon's (relative paths); one run at a
 * time — a second client is refused and starts its own JVM; Spark settings that differ from the running
 * application's start a new one ({@link SparkSessions#replaceWhenSettingsChange}). A client that goes
 * away (Ctrl-C, kill) cancels its run's Spark jobs. The socket lives in a 0700 directory, so only its
 * owner can connect. Idle longer than the idle limit, the daemon stops by itself.
 */
public final class PipelineDaemon {
    private final Path dir;
    private final String key;
    private final Duration idleLimit;
    private final String cwd = Path.of("").toAbsolutePath().toString();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong served = new AtomicLong();
    private final Instant started = Instant.now();
    private volatile long lastActivity = System.nanoTime();
    private volatile String current = "";
    /** The running command's client went away: its stage must not commit, its jobs are cancelled. */
    private volatile boolean cancelled;
    private final PrintStream logOut = System.out;
    private final PrintStream logErr = System.err;

    PipelineDaemon(Path dir, String key, Duration idleLimit) {
        this.dir = dir;
        this.key = key;
        this.idleLimit = idleLimit;
    }

    /** args: DIR KEY IDLE_SECONDS */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: PipelineDaemon DIR KEY IDLE_SECONDS (started by bin/pipeline daemon start)");
            System.exit(2);
        }
        new PipelineDaemon(Path.of(args[0]), args[1], Duration.ofSeconds(Long.parseLong(args[2]))).serve();
    }

    void serve() throws IOException {
        if (!Files.isDirectory(dir) || !"rwx------".equals(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))) {
            // bin/pipeline daemon start creates it so; anything readable by others could let them run commands as us
            throw new IOException(dir + " must be a directory with mode 700 (bin/pipeline daemon start creates it)");
        }
        Path socket = dir.resolve(DaemonProtocol.SOCKET);
        Files.deleteIfExists(socket);
        SparkSessions.replaceWhenSettingsChange(true);
        StageEvents.add(this::stopIfCancelled);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> quietlyDelete(socket), "lmforge-daemon-cleanup"));
            startIdleWatch();
            log("listening on %s (pid %d, working directory %s, stops after %d s idle)", socket,
                    ProcessHandle.current().pid(), cwd, idleLimit.toSeconds());
            while (true) {
                SocketChannel client = server.accept();
                Thread t = new Thread(() -> handle(client), "lmforge-daemon-request");
                t.start();
            }
        }
    }

    private void handle(SocketChannel client) {
        try (client) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(client));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client)));
            DaemonProtocol.Request request;
            try {
                request = DaemonProtocol.Request.read(in);
            } catch (IOException | IllegalArgumentException e) {
                DaemonProtocol.writeFrame(out, DaemonProtocol.REFUSED, "unreadable request: " + e.getMessage());
                return;
            }
            switch (request.kind()) {
                case STATUS -> answer(out, status());
                case STOP -> stop(out);
                case RUN -> run(request, client, out);
            }
        } catch (IOException e) {
            log("a client went away: %s", e.getMessage());
        }
    }

    private void answer(DataOutputStream out, String text) throws IOException {
        DaemonProtocol.writeFrame(out, DaemonProtocol.INFO, text);
        DaemonProtocol.writeExit(out, PipelineMain.OK);
    }

    private String status() {
        long idle = (System.nanoTime() - lastActivity) / 1_000_000_000L;
        return String.format(Locale.ROOT, "pipeline daemon: pid %d, up since %s, %d runs served, %s; working directory %s; stops after %d s idle%n",
                ProcessHandle.current().pid(), started, served.get(), busy.get() ? "running: " + current : "idle for " + idle + " s",
                cwd, idleLimit.toSeconds());
    }

    private void stop(DataOutputStream out) throws IOException {
        stopping.set(true);
        if (busy.compareAndSet(false, true)) {
            answer(out, "pipeline daemon: stopped (pid " + ProcessHandle.current().pid() + ")\n");
            exit("stop requested");
        } else {
            answer(out, "pipeline daemon: stops when the running command ends (" + current + ")\n");
        }
    }

    private void run(DaemonProtocol.Request request, SocketChannel client, DataOutputStream out) throws IOException {
        String refusal = refusal(request);
        if (refusal != null) {
            DaemonProtocol.writeFrame(out, DaemonProtocol.REFUSED, refusal);
            return;
        }
        if (!busy.compareAndSet(false, true)) {
            DaemonProtocol.writeFrame(out, DaemonProtocol.REFUSED, "busy with `" + current + "`");
            return;
        }
        try {
            current = String.join(" ", request.args());
            long n = served.incrementAndGet();
            DaemonProtocol.writeFrame(out, DaemonProtocol.ACCEPTED, Long.toString(n));
            log("run #%d: %s", n, current);
            AtomicBoolean finished = new AtomicBoolean();
            cancelled = false;
            Thread watch = cancelWhenClientLeaves(client, Thread.currentThread(), finished, n);
            int status;
            try {
                status = runRedirected(request, out, n);
            } finally {
                finished.set(true);
                if (cancelled) { // its cancel loop must end before the next command's jobs start
                    watch.interrupt();
                    joinQuietly(watch);
                }
                Thread.interrupted(); // a late cancel's interrupt must not break the answer
            }
            log("run #%d: exit %d", n, status);
            DaemonProtocol.writeExit(out, status);
        } finally {
            current = "";
            lastActivity = System.nanoTime();
            busy.set(false);
            if (stopping.get()) {
                exit("stop requested during a run");
            }
        }
    }

    private String refusal(DaemonProtocol.Request request) {
        if (stopping.get()) {
            return "stopping";
        }
        if (!key.equals(request.key())) {
            return "started for another jar, JDK or JVM options (bin/pipeline daemon stop, then start)";
        }
        if (!cwd.equals(request.cwd())) {
            return "its working directory is " + cwd + ", not " + request.cwd() + " (relative paths would differ)";
        }
        return null;
    }

    /** The command with this thread's System.out/err (and the console log, which follows System.err) sent to the client. */
    private int runRedirected(DaemonProtocol.Request request, DataOutputStream out, long n) {
        PrintStream runOut = new PrintStream(new BufferedOutputStream(new FrameOutputStream(out, DaemonProtocol.STDOUT)), true, StandardCharsets.UTF_8);
        PrintStream runErr = new PrintStream(new BufferedOutputStream(new FrameOutputStream(out, DaemonProtocol.STDERR)), true, StandardCharsets.UTF_8);
        System.setOut(runOut);
        System.setErr(runErr);
        try {
            runErr.printf("bin/pipeline: running in the pipeline daemon (pid %d, run #%d; LMFORGE_DAEMON=off runs without it)%n",
                    ProcessHandle.current().pid(), n);
            return PipelineMain.run(request.args().toArray(String[]::new), runOut, runErr, false);
        } finally {
            runOut.flush();
            runErr.flush();
            System.setOut(logOut);
            System.setErr(logErr);
        }
    }

    /**
     * The client sends nothing after its request, so a read that ends means it is gone (Ctrl-C, kill):
     * cancel the run's Spark jobs and interrupt it, as a cold run would have died with its JVM.
     */
    private Thread cancelWhenClientLeaves(SocketChannel client, Thread worker, AtomicBoolean finished, long n) {
        Thread t = new Thread(() -> {
            // the channel itself, not Channels.newInputStream: on JDK 17 that stream's read holds the lock its
            // output stream's write needs, and the run's output would wait for the client's next byte
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            try {
                while (client.read(one) >= 0) {
                    one.clear(); // nothing is expected; read until the client closes
                }
            } catch (IOException e) {
                // closed either way
            }
            if (!finished.get()) {
                log("run #%d: the client went away; cancelling its Spark jobs", n);
                cancelled = true;
                worker.interrupt();
                // jobs the command starts after this one are cancelled too, until it gives up
                while (!finished.get()) {
                    cancelSparkJobs();
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "lmforge-daemon-client-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void cancelSparkJobs() {
        SparkSession s = runningSession();
        try {
            if (s != null && !s.sparkContext().isStopped()) {
                s.sparkContext().cancelAllJobs();
            }
        } catch (IllegalStateException stoppedMeanwhile) {
            // the run is replacing its Spark application: the next loop cancels the new one's jobs
        }
    }

    /** The Spark application the daemon's runs share (null before the first run starts one). */
    private static SparkSession runningSession() {
        return SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
    }

    /** A cancelled command stops at its stage's next protocol point, before anything is made visible. */
    private void stopIfCancelled(String stage, String chunk, StageEvents.Point point) {
        if (cancelled && point != StageEvents.Point.RENAMED && point != StageEvents.Point.COMMITTED) {
            throw new java.util.concurrent.CancellationException(stage + " " + chunk + ": cancelled (the client went away)");
        }
    }

    private void startIdleWatch() {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    return;
                }
                if (!busy.get() && System.nanoTime() - lastActivity > idleLimit.toNanos() && busy.compareAndSet(false, true)) {
                    exit("idle for " + idleLimit.toSeconds() + " s");
                }
            }
        }, "lmforge-daemon-idle");
        t.setDaemon(true);
        t.start();
    }

    private void exit(String why) {
        log("stopping: %s", why);
        SparkSession s = runningSession();
        if (s != null) {
            s.stop();
        }
        System.exit(0);
    }

    private void log(String format, Object... args) {
        logErr.printf(Locale.ROOT, "%s pipeline daemon: %s%n", Instant.now(), String.format(Locale.ROOT, format, args));
    }

    private static void quietlyDelete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the next start deletes it
        }
    }
}
