package dev.asyncsocket.examples.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A streaming RESP2 reply parser: feed it the bytes as they arrive, split anywhere, and it hands each complete
 * reply to its sink, in order. It keeps the state of a reply cut short between feeds, so no byte is looked at twice.
 *
 * <p>Replies as Java values: simple string → {@link String}, error → {@link ErrorReply}, integer → {@link Long},
 * bulk string → {@code byte[]}, array → {@code List<Object>}, nil bulk string and nil array → {@code null}.
 *
 * <p>Bounded whatever the server sends: a line (simple string, error, integer, length) holds at most
 * {@value #MAX_LINE} bytes, a bulk string at most its declared length up to {@value #MAX_BULK} bytes (memory grows
 * with the bytes that arrived, not with the length declared), arrays nest at most {@value #MAX_DEPTH} deep.
 * Anything else, or a bound broken, throws {@link RedisProtocolException}, after which the parser refuses all input.
 *
 * <p>Not thread-safe: one connection's receive chain feeds it.
 */
public final class RespParser {

    /** The longest line: a simple string, an error, an integer or a length, without its CRLF. */
    public static final int MAX_LINE = 64 * 1024;
    /** The longest bulk string: Redis's own default {@code proto-max-bulk-len}. */
    public static final int MAX_BULK = 512 * 1024 * 1024;
    /** How deep arrays nest. */
    public static final int MAX_DEPTH = 32;

    private static final int FIRST_BULK_CHUNK = 1024 * 1024;
    private static final int FIRST_ARRAY_CAPACITY = 1024;
    private static final String OK = "OK";

    private enum State { TYPE, LINE, BULK, BULK_CR, BULK_LF, FAILED }

    /** An array still collecting its elements. */
    private static final class Frame {
        final List<Object> elements;
        final int size;

        Frame(int size) {
            this.size = size;
            this.elements = new ArrayList<>(Math.min(size, FIRST_ARRAY_CAPACITY));
        }
    }

    private final Consumer<Object> sink;
    private final Frame[] stack = new Frame[MAX_DEPTH];
    private int depth;
    private State state = State.TYPE;
    private byte type;
    private byte[] line = new byte[64];
    private int lineLength;
    private byte[] bulk;
    private int bulkLength;
    private int bulkFilled;

    /** A parser handing each complete reply to {@code sink}, on the thread that calls {@link #feed}. */
    public RespParser(Consumer<Object> sink) {
        this.sink = sink;
    }

    /**
     * Parses every byte between {@code bytes}' position and limit, handing complete replies to the sink as it
     * goes; leaves the position at the limit. A reply cut short is finished by later feeds.
     *
     * @throws RedisProtocolException if the bytes are not RESP2 or break a bound; the parser is then unusable
     */
    public void feed(ByteBuffer bytes) throws RedisProtocolException {
        while (bytes.hasRemaining()) {
            switch (state) {
                case TYPE -> {
                    type = bytes.get();
                    if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*') {
                        throw malformed("unknown reply type byte 0x" + Integer.toHexString(type & 0xff));
                    }
                    lineLength = 0;
                    state = State.LINE;
                }
                case LINE -> readLine(bytes);
                case BULK -> readBulk(bytes);
                case BULK_CR -> expect(bytes.get(), '\r', State.BULK_LF);
                case BULK_LF -> {
                    expect(bytes.get(), '\n', State.TYPE);
                    byte[] value = bulk.length == bulkLength ? bulk : Arrays.copyOf(bulk, bulkLength);
                    bulk = null;
                    complete(value);
                }
                case FAILED -> throw new RedisProtocolException("the parser failed before; it takes no more input");
            }
        }
    }

    /** Collects a line up to its CRLF, then acts on it. */
    private void readLine(ByteBuffer bytes) throws RedisProtocolException {
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (b == '\n') {
                if (lineLength == 0 || line[lineLength - 1] != '\r') {
                    throw malformed("a line ends with LF without CR");
                }
                lineLength--;
                state = State.TYPE;
                onLine();
                return;
            }
            if (lineLength == MAX_LINE + 1) { // room for the CR
                throw malformed("a line is longer than " + MAX_LINE + " bytes");
            }
            if (lineLength == line.length) {
                line = Arrays.copyOf(line, Math.min(line.length * 2, MAX_LINE + 1));
            }
            line[lineLength++] = b;
        }
    }

    private void onLine() throws RedisProtocolException {
        switch (type) {
            case '+' -> complete(isOk() ? OK : new String(line, 0, lineLength, StandardCharsets.UTF_8));
            case '-' -> complete(new ErrorReply(new String(line, 0, lineLength, StandardCharsets.UTF_8)));
            case ':' -> complete(lineAsLong());
            case '$' -> startBulk(lineAsLong());
            default -> startArray(lineAsLong()); // '*': TYPE let no other type through
        }
    }

    private void startBulk(long length) throws RedisProtocolException {
        if (length == -1) {
            complete(null);
        } else if (length < 0 || length > MAX_BULK) {
            throw malformed("bulk string length " + length + " is out of range [-1, " + MAX_BULK + "]");
        } else {
            bulkLength = (int) length;
            bulkFilled = 0;
            bulk = new byte[Math.min(bulkLength, FIRST_BULK_CHUNK)];
            state = bulkLength == 0 ? State.BULK_CR : State.BULK;
        }
    }

    private void readBulk(ByteBuffer bytes) {
        if (bulkFilled == bulk.length) { // grows with what arrives, never ahead to the declared length
            bulk = Arrays.copyOf(bulk, (int) Math.min(bulkLength, 2L * bulk.length));
        }
        int n = Math.min(bytes.remaining(), bulk.length - bulkFilled);
        bytes.get(bulk, bulkFilled, n);
        bulkFilled += n;
        if (bulkFilled == bulkLength) {
            state = State.BULK_CR;
        }
    }

    private void startArray(long size) throws RedisProtocolException {
        if (size == -1) {
            complete(null);
        } else if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw malformed("array length " + size + " is out of range");
        } else if (size == 0) {
            complete(List.of());
        } else if (depth == MAX_DEPTH) {
            throw malformed("arrays nest deeper than " + MAX_DEPTH);
        } else {
            stack[depth++] = new Frame((int) size);
        }
    }

    /** A value is whole: it goes into the array being collected, or to the sink if it is a reply of its own. */
    private void complete(Object value) {
        while (depth > 0) {
            Frame top = stack[depth - 1];
            top.elements.add(value);
            if (top.elements.size() < top.size) {
                return;
            }
            stack[--depth] = null;
            value = top.elements;
        }
        sink.accept(value);
    }

    private boolean isOk() {
        return lineLength == 2 && line[0] == 'O' && line[1] == 'K';
    }

    /** The line as a decimal {@code long}: an optional minus and 1 to 19 digits that fit, nothing else. */
    private long lineAsLong() throws RedisProtocolException {
        boolean negative = lineLength > 0 && line[0] == '-';
        int start = negative ? 1 : 0;
        int digits = lineLength - start;
        if (digits < 1 || digits > 19) {
            throw malformed("not an integer: \"" + lineText() + "\"");
        }
        long value = 0; // collected negative, so that Long.MIN_VALUE fits too
        try {
            for (int i = start; i < lineLength; i++) {
                int digit = line[i] - '0';
                if (digit < 0 || digit > 9) {
                    throw malformed("not an integer: \"" + lineText() + "\"");
                }
                value = Math.subtractExact(Math.multiplyExact(value, 10), digit);
            }
            return negative ? value : Math.negateExact(value);
        } catch (ArithmeticException e) {
            throw malformed("integer out of range: \"" + lineText() + "\"");
        }
    }

    private void expect(byte b, char wanted, State next) throws RedisProtocolException {
        if (b != wanted) {
            throw malformed("a bulk string is not followed by CRLF");
        }
        state = next;
    }

    private String lineText() {
        return new String(line, 0, Math.min(lineLength, 40), StandardCharsets.ISO_8859_1);
    }

    private RedisProtocolException malformed(String what) {
        state = State.FAILED;
        bulk = null;
        Arrays.fill(stack, null);
        return new RedisProtocolException("malformed reply: " + what);
    }
}
