package dev.asyncsocket.examples.servers;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;

/**
 * Starts a server that others wrote for a test. Where it is not installed, the test is skipped with a clear
 * message, except under {@code CI=true}, where it fails: a green CI run always means the test ran against the real
 * server ({@code .ci/run} installs it from Debian's packages).
 */
public final class InstalledServer {

    private InstalledServer() {
    }

    /** {@link ServerProcess#start}, or the test skipped (locally) or failed (CI) when the server is not installed. */
    public static ServerProcess start(String executable, String debianPackage, ServerProcess.ArgumentsForPort arguments)
            throws IOException {
        require(executable, debianPackage);
        return ServerProcess.start(executable, arguments);
    }

    /**
     * Returns if {@code executable} is installed; else skips the test (locally) or fails it (CI). For a test of a
     * program that starts the server itself (a demo).
     */
    public static void require(String executable, String debianPackage) {
        if (ServerProcess.find(executable).isEmpty()) {
            String why = executable + " is not installed (Debian package " + debianPackage
                    + "; .ci/run installs it with: apt-get install -y " + debianPackage + ")";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("CI=true: " + why);
            }
            Assumptions.abort(why);
        }
    }
}
