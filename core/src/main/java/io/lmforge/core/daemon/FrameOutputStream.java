package io.lmforge.core.daemon;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** A run's stdout or stderr inside the daemon: every write goes to the client as a frame of its type. */
final class FrameOutputStream extends OutputStream {
    private final DataOutputStream socket;
    private final byte type;

    FrameOutputStream(DataOutputStream socket, byte type) {
        this.socket = socket;
        this.type = type;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > 0) {
            DaemonProtocol.writeFrame(socket, type, b, off, len);
        }
    }
}
