/**
 * An asynchronous stream socket with an exact contract: open it on a connected transport, send several
 * buffers in one call, receive into your own buffers, and get exactly one completion callback per accepted
 * operation, with precise results for errors, resets and the end of the stream. It carries the
 * {@code async_socket} of Microsoft's Azure C platform layer (c-pal) to Java.
 *
 * <ul>
 *   <li>{@link dev.asyncsocket.AsyncSocket}: the socket; its javadoc is the contract.</li>
 *   <li>{@link dev.asyncsocket.ExecutionEngine}: the reference-counted threads sockets run on.</li>
 *   <li>{@link dev.asyncsocket.SocketTransport}: one connected stream socket, handed to an open.</li>
 *   <li>Results: {@link dev.asyncsocket.OpenResult}, {@link dev.asyncsocket.SendSyncResult},
 *       {@link dev.asyncsocket.SendResult}, {@link dev.asyncsocket.ReceiveResult}; the socket's
 *       {@link dev.asyncsocket.SocketState}.</li>
 *   <li>Callbacks: {@link dev.asyncsocket.OnOpenComplete}, {@link dev.asyncsocket.OnSendComplete},
 *       {@link dev.asyncsocket.OnReceiveComplete}; {@link dev.asyncsocket.OnNotifyIoComplete},
 *       {@link dev.asyncsocket.OnSend} and {@link dev.asyncsocket.OnRecv} exist for c-pal's shape and are
 *       never called.</li>
 * </ul>
 *
 * <p>No Netty here: the implementation is {@code dev.asyncsocket.netty.NettyAsyncSocket}, in the
 * {@code async-socket-netty} artifact. What implementations share lives in {@link dev.asyncsocket.spi}.
 */
package dev.asyncsocket;
