package dev.asyncsocket.examples.redis;

import dev.asyncsocket.examples.servers.ServerProcess;

import java.io.IOException;
import java.util.List;

/** How the tests, the demo and the benchmark start {@code redis-server}: on 127.0.0.1, a free port, no persistence. */
public final class RedisServers {

    /** The executable, and the Debian package that has it. */
    public static final String EXECUTABLE = "redis-server";
    public static final String DEBIAN_PACKAGE = "redis-server";

    /** The command line for a port: nothing saved to disk, no protection (it listens on loopback only). */
    public static final ServerProcess.ArgumentsForPort ARGUMENTS = (port, folder) -> List.of(
            "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--protected-mode", "no", "--daemonize", "no", "--dir", folder.toString());

    private RedisServers() {
    }

    /** Starts one. @throws IOException if it is not installed or does not start (the message says why) */
    public static ServerProcess start() throws IOException {
        return ServerProcess.start(EXECUTABLE, ARGUMENTS);
    }
}
