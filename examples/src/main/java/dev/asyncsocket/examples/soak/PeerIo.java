package dev.asyncsocket.examples.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;

/** What the soak's blocking peers do with their sockets: read a stream to its end, write frames in one piece or two. */
final class PeerIo {

    /** Takes the bytes a peer read, in order. */
    interface Sink {
        void feed(byte[] data, int offset, int count);
    }

    private PeerIo() {
    }

    /** A daemon thread for one side of a peer, not started. */
    static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Reads {@code socket} to its end, handing everything to {@code sink}.
     *
     * @return null if the stream ended cleanly (EOF), else what failed
     */
    static String readToEnd(Socket socket, Sink sink) {
        byte[] chunk = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(chunk)) >= 0; ) {
                sink.feed(chunk, 0, n);
            }
            return null;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Writes {@code frame}, one time in four in two writes: two segments, two reads. */
    static void writeFrame(OutputStream out, byte[] frame, Random random) throws IOException {
        if (random.nextInt(4) == 0) {
            int split = random.nextInt(frame.length);
            out.write(frame, 0, split);
            out.write(frame, split, frame.length - split);
        } else {
            out.write(frame);
        }
    }
}
