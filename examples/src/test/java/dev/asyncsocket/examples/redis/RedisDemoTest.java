package dev.asyncsocket.examples.redis;

import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.EachTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis demo's own run, in-process, short: what it prints and what it counted say the same thing. */
@DisplayName("The Redis demo")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisDemoTest {

    private static final int COMMANDS = 3000;
    @RegisterExtension
    static final RedisUnderTest redis = new RedisUnderTest();

    @DisplayName("checks every reply and message, comes back from the kill, and says PASS")
    @EachTransport
    void checksEveryReplyAndMessageAndSaysPass(NettyTransport transport) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        RedisDemo.Summary summary = RedisDemo.run(transport, redis.port(), COMMANDS, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String output = printed.toString(StandardCharsets.UTF_8);

        assertEquals(List.of(), summary.problems(), output);
        assertEquals(1000, summary.mgetKeys(), output);
        assertEquals(COMMANDS, summary.messages(), output);
        assertEquals(1, summary.reconnects(), output);
        assertTrue(output.contains("the client connected again: PING -> PONG"), output);
        assertTrue(output.contains("PASS: every reply and message checked"), output);
    }
}
