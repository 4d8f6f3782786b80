package dev.asyncsocket.examples.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * A server that others wrote ({@code redis-server}, {@code mosquitto}), started for one test or demo on 127.0.0.1
 * on a free port, and stopped by its PID. Its output goes to a log file in its own temporary folder, whose tail is
 * in every exception about it, so a server that will not start says why.
 *
 * <p>Not thread-safe: one owner starts, uses and closes it.
 */
public final class ServerProcess implements AutoCloseable {

    private static final long READY_TIMEOUT_MS = 15_000;
    private static final List<String> SEARCH_PATH = List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin");

    private final String name;
    private final Process process;
    private final int port;
    private final Path folder;
    private final Path log;

    private ServerProcess(String name, Process process, int port, Path folder, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.folder = folder;
        this.log = log;
    }

    /** Where {@code executable} is installed: on the PATH or in the usual system folders; empty if nowhere. */
    public static Optional<Path> find(String executable) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)), SEARCH_PATH.stream())
                .filter(folder -> !folder.isEmpty())
                .map(folder -> Path.of(folder, executable))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts {@code executable} with the arguments that {@code arguments} gives for a free port, in a new temporary
     * folder (its working directory, for whatever files it writes), and waits until it accepts connections on that
     * port.
     *
     * @param arguments    the command line after the executable, given the port and the working folder's path
     * @throws IOException if the executable is not installed, or the server exits or does not listen within 15 s;
     *                     the message holds the end of its output
     */
    public static ServerProcess start(String executable, ArgumentsForPort arguments) throws IOException {
        Path program = find(executable).orElseThrow(() -> new IOException(executable + " is not installed"));
        int port = freePort();
        Path folder = Files.createTempDirectory(executable + "-");
        Path log = folder.resolve(executable + ".log");
        List<String> command = new java.util.ArrayList<>();
        command.add(program.toString());
        command.addAll(arguments.forPort(port, folder));
        Process process = new ProcessBuilder(command)
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ServerProcess server = new ServerProcess(executable, process, port, folder, log);
        try {
            server.awaitListening();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The command line of a server, after its executable, for a port and a working folder. */
    @FunctionalInterface
    public interface ArgumentsForPort {
        List<String> forPort(int port, Path folder) throws IOException;
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines the server printed. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the server at once (SIGKILL), as a crash would, and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        waitForExit(READY_TIMEOUT_MS);
    }

    /** Stops the server by its PID (SIGTERM, then SIGKILL after 5 s) and deletes its folder. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            if (!waitForExit(5_000)) {
                kill();
            }
        }
        deleteFolder();
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ") on 127.0.0.1:" + port;
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(this + " exited with " + process.exitValue() + " before listening:\n" + logTail());
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(this + " did not listen within " + READY_TIMEOUT_MS + " ms:\n" + logTail(), notYet);
                }
            }
            waitForExit(20); // the pause between probes, cut short if it exits
        }
    }

    private boolean waitForExit(long ms) {
        try {
            return process.waitFor(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private void deleteFolder() {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary folder; the OS cleans up what is left
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Convenience for {@link ArgumentsForPort} lambdas that need no folder. */
    public static ArgumentsForPort onPort(IntFunction<List<String>> arguments) {
        return (port, folder) -> arguments.apply(port);
    }
}
