package dev.asyncsocket.examples.fault;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/**
 * The blocking peer's two directions, each on its own thread: read until the stream ends, write a whole
 * stream. The futures complete with what happened; they never complete exceptionally.
 */
public final class Peer {

    /** What the peer read, and whether the stream ended cleanly (EOF) or with an error (e.g. a reset). */
    public record Read(byte[] bytes, IOException failure) {
        public boolean endedCleanly() {
            return failure == null;
        }
    }

    /** How many bytes the peer's writes got through, and the error that stopped it, if any. */
    public record Written(long bytes, IOException failure) {
    }

    private Peer() {
    }

    /** Reads {@code socket} until EOF or an error. */
    public static CompletableFuture<Read> readToEnd(Socket socket) {
        CompletableFuture<Read> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] chunk = new byte[64 * 1024];
            try {
                InputStream in = socket.getInputStream();
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    bytes.write(chunk, 0, n);
                }
                result.complete(new Read(bytes.toByteArray(), null));
            } catch (IOException e) {
                result.complete(new Read(bytes.toByteArray(), e));
            }
        }, "peer-reader");
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    /** Writes {@code data} in chunks of up to 32 KiB, then sends FIN if {@code thenShutdown}. */
    public static CompletableFuture<Written> write(Socket socket, byte[] data, boolean thenShutdown) {
        CompletableFuture<Written> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            long written = 0;
            try {
                OutputStream out = socket.getOutputStream();
                while (written < data.length) {
                    int n = (int) Math.min(32 * 1024, data.length - written);
                    out.write(data, (int) written, n);
                    written += n;
                }
                out.flush();
                if (thenShutdown) {
                    socket.shutdownOutput();
                }
                result.complete(new Written(written, null));
            } catch (IOException e) {
                result.complete(new Written(written, e));
            }
        }, "peer-writer");
        thread.setDaemon(true);
        thread.start();
        return result;
    }
}
