package dev.asyncsocket.netty.testing;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * TLS for tests, made at run time (no key or certificate is checked in): a certificate authority, a server
 * certificate for {@value #HOST} signed by it, and {@link SslHandler}s on the JDK's provider for both ends.
 * A {@linkplain #clientHandler trusting client} trusts that authority; an {@linkplain #untrustingClientHandler
 * untrusting} one trusts only another, unrelated authority, so its handshake fails with an
 * {@link javax.net.ssl.SSLHandshakeException}. Immutable and thread-safe: one per test class is enough.
 */
public final class Tls {

    /** The name the server's certificate is for, and the name clients check it against. */
    public static final String HOST = "localhost";

    private final SslContext server;
    private final SslContext trustingClient;
    private final SslContext untrustingClient;

    private Tls(SslContext server, SslContext trustingClient, SslContext untrustingClient) {
        this.server = server;
        this.trustingClient = trustingClient;
        this.untrustingClient = untrustingClient;
    }

    /** A fresh authority, server certificate and contexts (EC P-256 keys: a few milliseconds). */
    public static Tls create() throws Exception {
        X509Bundle authority = authority("CN=async-socket test CA");
        X509Bundle serverCertificate = new CertificateBuilder()
                .subject("CN=" + HOST)
                .addSanDnsName(HOST)
                .addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth()
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                .ecp256()
                .buildIssuedBy(authority);
        X509Bundle unrelated = authority("CN=an authority the server's certificate does not come from");
        return new Tls(
                SslContextBuilder.forServer(serverCertificate.toKeyManagerFactory()).sslProvider(SslProvider.JDK).build(),
                client(authority),
                client(unrelated));
    }

    private static X509Bundle authority(String subject) throws Exception {
        return new CertificateBuilder()
                .subject(subject)
                .setIsCertificateAuthority(true)
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                .ecp256()
                .buildSelfSigned();
    }

    private static SslContext client(X509Bundle trusted) throws Exception {
        return SslContextBuilder.forClient()
                .trustManager(trusted.toTrustManagerFactory())
                .endpointIdentificationAlgorithm("HTTPS")
                .sslProvider(SslProvider.JDK)
                .build();
    }

    /** The server end's handler, for an accepted channel. */
    public SslHandler serverHandler(Channel channel) {
        return server.newHandler(channel.alloc());
    }

    /** A client end's handler that trusts the server's certificate (and checks it is for {@value #HOST}). */
    public SslHandler clientHandler(Channel channel) {
        return trustingClient.newHandler(channel.alloc(), HOST, -1);
    }

    /** A client end's handler that does not trust the server's certificate: its handshake fails. */
    public SslHandler untrustingClientHandler(Channel channel) {
        return untrustingClient.newHandler(channel.alloc(), HOST, -1);
    }
}
