package dev.asyncsocket.examples.redis;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming RESP2 parser, fed replies cut anywhere, and bytes that are not RESP2. */
@DisplayName("The RESP2 reply parser")
@Timeout(30)
class RespParserTest {

    /** One reply of every kind, the shape each should parse to beside it (see {@link #show}). */
    private static final String[][] REPLIES = {
            {"+OK\r\n", "+OK"},
            {"+hello world\r\n", "+hello world"},
            {"-ERR unknown command\r\n", "-ERR unknown command"},
            {":0\r\n", ":0"},
            {":-42\r\n", ":-42"},
            {":9223372036854775807\r\n", ":9223372036854775807"},
            {":-9223372036854775808\r\n", ":-9223372036854775808"},
            {"$5\r\na\r\nb\0\r\n", "$a\r\nb\0"},
            {"$0\r\n\r\n", "$"},
            {"$-1\r\n", "nil"},
            {"*-1\r\n", "nil"},
            {"*0\r\n", "[]"},
            {"*3\r\n$3\r\nfoo\r\n$-1\r\n:7\r\n", "[$foo, nil, :7]"},
            {"*2\r\n+OK\r\n-WRONGTYPE Operation against a key\r\n", "[+OK, -WRONGTYPE Operation against a key]"},
            {"*3\r\n*2\r\n:1\r\n*1\r\n*-1\r\n*0\r\n$2\r\nhi\r\n", "[[:1, [nil]], [], $hi]"},
    };

    @DisplayName("parses a reply of every kind: simple strings, errors, integers, bulk and nil, arrays nested and nil")
    @Test
    void parsesAReplyOfEveryKind() throws Exception {
        for (String[] reply : REPLIES) {
            assertEquals(List.of(reply[1]), parse(List.of(reply[0])), reply[0]);
        }
    }

    @DisplayName("gives the same replies however the stream is cut, at every pair of byte boundaries")
    @Test
    void givesTheSameRepliesHoweverTheStreamIsCut() throws Exception {
        String stream = java.util.Arrays.stream(REPLIES).map(reply -> reply[0]).collect(Collectors.joining());
        List<String> expected = java.util.Arrays.stream(REPLIES).map(reply -> reply[1]).toList();
        for (int first = 0; first <= stream.length(); first++) {
            for (int second = first; second <= stream.length(); second++) {
                List<String> pieces = List.of(stream.substring(0, first), stream.substring(first, second), stream.substring(second));
                assertEquals(expected, parse(pieces), "cut at " + first + " and " + second);
            }
        }
    }

    @DisplayName("gives the same replies fed one byte at a time")
    @Test
    void givesTheSameRepliesFedOneByteAtATime() throws Exception {
        String stream = java.util.Arrays.stream(REPLIES).map(reply -> reply[0]).collect(Collectors.joining());
        List<String> bytes = stream.chars().mapToObj(c -> String.valueOf((char) c)).toList();
        assertEquals(java.util.Arrays.stream(REPLIES).map(reply -> reply[1]).toList(), parse(bytes));
    }

    @DisplayName("reads a bulk string longer than its first chunk, arriving in many pieces")
    @Test
    void readsABulkStringLongerThanItsFirstChunk() throws Exception {
        int length = 3 * 1024 * 1024 + 5;
        List<Object> replies = new ArrayList<>();
        RespParser parser = new RespParser(replies::add);
        parser.feed(ascii("$" + length + "\r\n"));
        byte[] value = dev.asyncsocket.netty.testing.Bytes.random(length, 7);
        for (int at = 0; at < length; at += 10_000) {
            parser.feed(ByteBuffer.wrap(value, at, Math.min(10_000, length - at)));
        }
        assertEquals(List.of(), replies, "no reply before its CRLF");
        parser.feed(ascii("\r\n"));
        assertEquals(1, replies.size());
        assertTrue(java.util.Arrays.equals(value, (byte[]) replies.get(0)), "the value arrived intact");
    }

    @DisplayName("fails with a clear cause on bytes that are not RESP2, and takes nothing after")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "?what\r\n",              // unknown type
            ":12a\r\n",               // not an integer
            ":\r\n",                  // no digits
            ":99999999999999999999\r\n", // too big
            "$-2\r\n",                // negative length other than -1
            "$999999999999\r\n",      // longer than Redis allows
            "*-7\r\n",                // negative array length
            "$3\r\nabcX\r\n",         // bulk string not followed by CRLF
            "+OK\n",                  // LF without CR
    })
    void failsWithAClearCauseOnBytesThatAreNotResp2(String bytes) {
        RespParser parser = new RespParser(reply -> { });
        RedisProtocolException thrown = assertThrows(RedisProtocolException.class, () -> parser.feed(ascii(bytes)));
        assertTrue(thrown.getMessage().startsWith("malformed reply: "), thrown.getMessage());
        assertThrows(RedisProtocolException.class, () -> parser.feed(ascii("+OK\r\n")), "a failed parser takes nothing");
    }

    @DisplayName("fails a line that never ends once it is longer than the bound, instead of growing")
    @Test
    void failsALineThatNeverEnds() {
        RespParser parser = new RespParser(reply -> { });
        ByteBuffer endless = ByteBuffer.wrap(("+" + "a".repeat(1024 * 1024)).getBytes(StandardCharsets.US_ASCII));
        RedisProtocolException thrown = assertThrows(RedisProtocolException.class, () -> parser.feed(endless));
        assertTrue(thrown.getMessage().contains("longer than " + RespParser.MAX_LINE), thrown.getMessage());
        assertTrue(endless.position() <= RespParser.MAX_LINE + 3, "stopped at the bound, read " + endless.position());
    }

    @DisplayName("fails arrays nested deeper than the bound")
    @Test
    void failsArraysNestedDeeperThanTheBound() {
        RespParser parser = new RespParser(reply -> { });
        ByteBuffer deep = ascii("*1\r\n".repeat(RespParser.MAX_DEPTH + 1) + ":1\r\n");
        RedisProtocolException thrown = assertThrows(RedisProtocolException.class, () -> parser.feed(deep));
        assertTrue(thrown.getMessage().contains("deeper than " + RespParser.MAX_DEPTH), thrown.getMessage());
    }

    @DisplayName("takes arrays nested right up to the bound")
    @Test
    void takesArraysNestedUpToTheBound() throws Exception {
        String deepest = "[".repeat(RespParser.MAX_DEPTH) + ":1" + "]".repeat(RespParser.MAX_DEPTH);
        assertEquals(List.of(deepest), parse(List.of("*1\r\n".repeat(RespParser.MAX_DEPTH) + ":1\r\n")));
    }

    private static List<String> parse(List<String> pieces) throws RedisProtocolException {
        List<String> replies = new ArrayList<>();
        RespParser parser = new RespParser(reply -> replies.add(show(reply)));
        for (String piece : pieces) {
            ByteBuffer bytes = ascii(piece);
            parser.feed(bytes);
            assertEquals(0, bytes.remaining(), "a feed takes every byte");
        }
        return replies;
    }

    /** A reply as text that says its type: +simple, -error, :integer, $bulk, [array], nil. */
    private static String show(Object reply) {
        if (reply == null) {
            return "nil";
        } else if (reply instanceof String simple) {
            return "+" + simple;
        } else if (reply instanceof ErrorReply error) {
            return "-" + error.message();
        } else if (reply instanceof Long integer) {
            return ":" + integer;
        } else if (reply instanceof byte[] bulk) {
            return "$" + new String(bulk, StandardCharsets.ISO_8859_1);
        } else {
            return ((List<?>) reply).stream().map(RespParserTest::show).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
