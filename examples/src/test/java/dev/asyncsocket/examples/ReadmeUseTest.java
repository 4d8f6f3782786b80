package dev.asyncsocket.examples;

import dev.asyncsocket.examples.readme.HelloEcho;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
 * The README's "Use" example is {@link HelloEcho}, shown as it is: this test fails if the README's block and the
 * source differ, and runs the example against an echo peer on loopback (a plain JDK socket, not this library).
 */
@DisplayName("The README")
class ReadmeUseTest {

    /** The comment in README.md right before the "Use" example's java block. */
    static final String MARKER = "<!-- ReadmeUseTest: examples/src/main/java/dev/asyncsocket/examples/readme/HelloEcho.java -->";
    static final Path SOURCE = Path.of("src/main/java/dev/asyncsocket/examples/readme/HelloEcho.java");

    @Test
    @DisplayName("shows HelloEcho.java as it is, from its first import to its end")
    void showsHelloEchoAsItIs() throws IOException {
        String readme = Files.readString(projectRoot().resolve("README.md"), StandardCharsets.UTF_8);
        int marker = readme.indexOf(MARKER);
        assertTrue(marker >= 0, "README.md has no line " + MARKER);
        Matcher block = Pattern.compile("\\G\\s*```java\\n(.*?)```\\n", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(marker + MARKER.length()), "no ```java block right after " + MARKER);

        String source = Files.readString(SOURCE, StandardCharsets.UTF_8);
        String shown = source.substring(source.indexOf("\nimport ") + 1);
        assertEquals(shown, block.group(1), "README.md's \"Use\" block differs from " + SOURCE + ": copy the file"
                + " from its first import into the block");
    }

    @Test
    @DisplayName("names this build's version in its Maven and Gradle snippets")
    void namesThisBuildsVersion() throws IOException {
        String pom = Files.readString(projectRoot().resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher version = Pattern.compile("<artifactId>async-socket-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(version.find(), "no version in the root pom.xml");
        String readme = Files.readString(projectRoot().resolve("README.md"), StandardCharsets.UTF_8);
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
    @DisplayName("\"Use\" example: sends its message to a loopback echo peer and gets every byte back")
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
