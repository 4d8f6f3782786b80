package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.examples.servers.InstalledServer;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.EachTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MQTT demo's own run, in-process, against the mosquitto it starts: what it prints and counts agree. */
@DisplayName("The MQTT demo")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MqttDemoTest {

    private static final int MESSAGES = 1_000;

    @DisplayName("streams every message through mosquitto, acknowledged and intact, and says PASS")
    @EachTransport
    void streamsEveryMessageThroughMosquittoAndSaysPass(NettyTransport transport) throws Exception {
        InstalledServer.require(Mosquitto.EXECUTABLE, Mosquitto.DEBIAN_PACKAGE); // the demo starts its own
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        MqttDemo.Summary summary = MqttDemo.run(transport, MESSAGES, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String output = printed.toString(StandardCharsets.UTF_8);

        assertTrue(summary.passed(), output);
        assertEquals(MESSAGES, summary.acknowledged(), output);
        assertEquals(MESSAGES, summary.received(), output);
        assertTrue(summary.roundTripP50Micros() > 0, output);
        assertTrue(output.contains("PASS: every message acknowledged once, and received intact and in order"), output);
    }
}
