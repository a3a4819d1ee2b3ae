package io.lmforge.core.commit;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/** Who holds a lock: written into the lock file, so the message a blocked run prints names the holder. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockOwner(@JsonProperty("run_id") String runId, @JsonProperty("what") String what,
                        @JsonProperty("pid") long pid, @JsonProperty("host") String host,
                        @JsonProperty("process_start") String processStart, @JsonProperty("since") String since) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** This JVM as the owner of {@code what} (e.g. "dedup 0002"). */
    public static LockOwner current(String runId, String what) {
        ProcessHandle self = ProcessHandle.current();
        return new LockOwner(runId, what, self.pid(), hostName(),
                self.info().startInstant().map(Instant::toString).orElse(""), Instant.now().toString());
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null ? "unknown-host" : env;
        }
    }

    /**
     * True only when the holder provably no longer runs: it was on this host and no process with its
     * pid and start time exists. A holder on another host can never be proven dead from here.
     */
    public boolean provablyDead() {
        if (!host.equals(hostName())) {
            return false;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        String start = p.get().info().startInstant().map(Instant::toString).orElse("");
        return !processStart.isEmpty() && !start.isEmpty() && !start.equals(processStart); // pid reused
    }

    public String describe() {
        return "pid " + pid + " on " + host + " since " + since + " (run " + runId + ")";
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LockOwner fromJson(String json) throws IOException {
        return JSON.readValue(json, LockOwner.class);
    }
}
