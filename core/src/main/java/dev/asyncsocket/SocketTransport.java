package dev.asyncsocket;

/**
 * One connected stream socket, handed to {@link AsyncSocket#openAsync} (c-pal's SOCKET_TRANSPORT_HANDLE).
 * A successful open takes ownership of it.
 */
public interface SocketTransport {
}
