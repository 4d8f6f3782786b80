package dev.asyncsocket.examples;

import dev.asyncsocket.examples.readme.HelloEcho;
import dev.asyncsocket.examples.readme.HelloEchoFutures;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Use" examples are {@link HelloEchoFutures} (first) and {@link HelloEcho} (the raw callbacks),
 * shown as they are: this test fails if a README block and its source differ, and runs both examples, the
 * second against an echo peer on loopback (a plain JDK socket, not this library).
 */
@DisplayName("The README")
class ReadmeUseTest {

    /** Where the examples are, from this module's folder and as the README names them. */
    static final String EXAMPLES = "src/main/java/dev/asyncsocket/examples/readme/";

    /** The comment in README.md right before the java block of the example in {@code file}. */
    static String marker(String file) {
        return "<!-- ReadmeUseTest: examples/" + EXAMPLES + file + " -->";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HelloEchoFutures.java", "HelloEcho.java"})
    @DisplayName("shows each \"Use\" example as it is, from its first import to its end")
    void showsTheExampleAsItIs(String file) throws IOException {
        String readme = readme();
        int marker = readme.indexOf(marker(file));
        assertTrue(marker >= 0, "README.md has no line " + marker(file));
        Matcher block = Pattern.compile("\\G\\s*```java\\n(.*?)```\\n", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(marker + marker(file).length()), "no ```java block right after " + marker(file));

        Path source = Path.of(EXAMPLES + file);
        String text = Files.readString(source, StandardCharsets.UTF_8);
        String shown = text.substring(text.indexOf("\nimport ") + 1);
        assertEquals(shown, block.group(1), "README.md's \"Use\" block differs from " + source + ": copy the file"
                + " from its first import into the block");
    }

    @Test
    @DisplayName("\"Use\" shows the futures first, then the raw callbacks")
    void showsTheFuturesExampleFirst() throws IOException {
        String readme = readme();
        int use = readme.indexOf("\n## Use\n");
        int next = readme.indexOf("\n## ", use + 1);
        int futures = readme.indexOf(marker("HelloEchoFutures.java"));
        int callbacks = readme.indexOf(marker("HelloEcho.java"));
        assertTrue(use >= 0 && use < futures && futures < callbacks && callbacks < next,
                "README.md's \"Use\" section should show HelloEchoFutures, then HelloEcho");
    }

    @Test
    @Timeout(60)
    @DisplayName("\"Use\" futures example: its client gets \"hello\" back from its server")
    void futuresExampleGetsItsMessageBack() throws Exception {
        assertEquals("hello", HelloEchoFutures.hello());
    }

    @Test
    @DisplayName("names this build's version in its Maven and Gradle snippets")
    void namesThisBuildsVersion() throws IOException {
        String pom = Files.readString(projectRoot().resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher version = Pattern.compile("<artifactId>async-socket-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(version.find(), "no version in the root pom.xml");
        String readme = readme();
        String v = version.group(1);
        assertTrue(Pattern.compile("<artifactId>async-socket-netty</artifactId>\\s*<version>" + Pattern.quote(v) + "</version>")
                .matcher(readme).find(), "README's Maven snippet does not name async-socket-netty " + v);
        assertTrue(Pattern.compile("<artifactId>async-socket-bom</artifactId>\\s*<version>" + Pattern.quote(v) + "</version>")
                .matcher(readme).find(), "README's Maven snippet does not name the BOM async-socket-bom " + v);
        assertTrue(readme.contains("\"dev.asyncsocket:async-socket-netty:" + v + "\""),
                "README's Gradle snippet does not name dev.asyncsocket:async-socket-netty:" + v);
        assertTrue(readme.contains("\"dev.asyncsocket:async-socket-bom:" + v + "\""),
                "README's Gradle snippet does not name the BOM dev.asyncsocket:async-socket-bom:" + v);
    }

    @Test
    @Timeout(60)
    @DisplayName("\"Use\" callbacks example: sends its message to a loopback echo peer and gets every byte back")
    void useExampleGetsItsMessageBackFromAnEchoPeer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> echoed = CompletableFuture.supplyAsync(() -> echoOnce(server));

            byte[] back = HelloEcho.hello("127.0.0.1", server.getLocalPort());

            assertArrayEquals(new byte[] {0, 5, 'h', 'e', 'l', 'l', 'o'}, back);
            // The peer saw the example's close as the end of the stream, after exactly the 7 bytes.
            assertEquals(7L, echoed.get(10, TimeUnit.SECONDS));
        }
    }

    /** Accepts one connection and echoes it until its end of stream; returns how many bytes went through. */
    private static long echoOnce(ServerSocket server) {
        try (Socket peer = server.accept()) {
            peer.setSoTimeout(30_000);
            InputStream in = peer.getInputStream();
            OutputStream out = peer.getOutputStream();
            byte[] buffer = new byte[1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; total += n) {
                out.write(buffer, 0, n);
                out.flush();
            }
            return total;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readme() throws IOException {
        return Files.readString(projectRoot().resolve("README.md"), StandardCharsets.UTF_8);
    }

    /** The folder with the root pom.xml and README.md: Surefire runs this module's tests in examples/. */
    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("examples"))) {
                return dir;
            }
        }
        throw new AssertionError("no README.md above " + Path.of("").toAbsolutePath());
    }
}
