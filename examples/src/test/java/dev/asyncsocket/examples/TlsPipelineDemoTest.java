package dev.asyncsocket.examples;

import dev.asyncsocket.examples.tls.TlsPipelineDemo;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.EachTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TLS pipeline demo's own run, in-process: what it prints and what it counted say the same thing. */
@DisplayName("The TLS pipeline demo")
class TlsPipelineDemoTest {

    private static final int MESSAGES = 4;
    /** The demo's message sizes: 32 bytes, then 16 times the one before. */
    private static final long BYTES_EACH_WAY = 32 + 512 + 8_192 + 131_072;

    @DisplayName("echoes every message intact through TLS at both ends and says PASS")
    @EachTransport
    @Timeout(60)
    void echoesEveryMessageIntactThroughTlsAtBothEndsAndSaysPass(NettyTransport transport) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TlsPipelineDemo.Summary summary = TlsPipelineDemo.run(transport, MESSAGES, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String output = printed.toString(StandardCharsets.UTF_8);

        assertTrue(summary.passed(), output);
        assertEquals(MESSAGES, summary.echoed(), output);
        assertEquals(BYTES_EACH_WAY, summary.clientSent().bytes(), output);
        assertEquals(summary.clientSent().crc(), summary.serverReceived().crc(), output);
        assertEquals(summary.clientSent().crc(), summary.clientReceived().crc(), output);
        assertEquals(MESSAGES, summary.roundTripMicros().size(), output);
        assertTrue(output.contains("handshake done: TLSv1.3"), output);
        assertTrue(output.contains("client pipeline: [wire, tls, async-socket"), output);
        assertTrue(output.contains("PASS: every byte came back intact"), output);
    }
}
