package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.examples.servers.ServerProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Eclipse Mosquitto broker, started for a test, the demo or the benchmark on 127.0.0.1 on a free port: anonymous
 * clients, no persistence, Nagle off (replies go out at once: no delayed-ACK stalls), and no limit on the QoS 1 messages queued for a slow subscriber (the default, 1,000,
 * would drop messages of a fast stream).
 */
public final class Mosquitto {

    public static final String EXECUTABLE = "mosquitto";
    public static final String DEBIAN_PACKAGE = "mosquitto";

    /** The command line: a configuration file written into the server's folder. */
    public static final ServerProcess.ArgumentsForPort ARGUMENTS = Mosquitto::arguments;

    private Mosquitto() {
    }

    /**
     * Starts a broker for a program (the demo, the benchmark), stopped on {@code close()} and also when the JVM exits
     * without it (Ctrl-C); an {@link IOException} if mosquitto is not installed or does not start (its log's tail).
     */
    public static ServerProcess start() throws IOException {
        ServerProcess broker = ServerProcess.start(EXECUTABLE, ARGUMENTS);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "stop " + broker));
        return broker;
    }

    private static List<String> arguments(int port, Path folder) throws IOException {
        Path configuration = folder.resolve("mosquitto.conf");
        Files.writeString(configuration, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                "max_queued_messages 0",
                "set_tcp_nodelay true",
                ""));
        return List.of("-c", configuration.toString());
    }
}
