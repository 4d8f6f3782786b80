/**
 * {@link dev.asyncsocket.AsyncSocket} on Netty 4.2 (NIO, epoll, io_uring).
 *
 * <p>For users:
 * <ul>
 *   <li>{@link dev.asyncsocket.netty.NettyExecutionEngine}: an engine on a Netty event-loop group, owned or
 *       borrowed; {@link dev.asyncsocket.netty.NettyTransport} picks the transport.</li>
 *   <li>{@link dev.asyncsocket.netty.NettySocketTransport}: a connected channel: {@code connect},
 *       {@code connectAsync}, or {@code of(channel)} for a pipeline of your own.</li>
 *   <li>{@link dev.asyncsocket.netty.NettySocketListener}: accepts connections for servers, blocking
 *       ({@code accept}) or as futures ({@code acceptAsync}).</li>
 *   <li>{@link dev.asyncsocket.netty.NettyAsyncSocket}: the socket; its {@code lastFailure()}, a
 *       {@link dev.asyncsocket.netty.SocketFailure} of a {@link dev.asyncsocket.netty.FailureKind}, says why
 *       an operation completed ERROR or ABANDONED; its {@code isWritable()}, water marks and
 *       {@link dev.asyncsocket.netty.OnWritabilityChanged} listener give the send pressure, and its
 *       {@code counters()}, a {@link dev.asyncsocket.netty.SocketCounters}, what it did and still holds.</li>
 *   <li>{@link dev.asyncsocket.netty.FutureSocket}: the socket as futures ({@link dev.asyncsocket.netty.SocketFuture}),
 *       failing with a {@link dev.asyncsocket.netty.SocketFailureException}; a thin facade over the callbacks.</li>
 * </ul>
 *
 * <p>Inside, one way down: {@code NettyAsyncSocket} (the contract's checks and states) → {@code Connection}
 * (one open: the inbox of operations and the drain that starts them on the event loop, in order) →
 * {@code SendOperation} (a write of the caller's buffers, wrapped, not copied, or for small sends copied into
 * one write per burst by {@code SendBatcher}; {@code StraightWrites}, the one promise of the writes that go
 * straight to the transport, and {@code SendWrite}, a send's own promise when handlers are in front;
 * {@code LeadingParts} for the rare oversize one), {@code SendPressure} (the water marks' state machine over {@code SocketCounters}) and
 * {@code ReceiveQueue} (pending receives, surplus bytes, the end of the stream) and
 * {@code TailHandler} (the last handler of the pipeline) → {@code CallerBufferView}, {@code OperationQueue}.
 * {@code EarlyInboundBuffer} holds what arrives before a socket opens; {@code ReadIntoPostedBuffer} lets the
 * transport read into a receive's own memory where its reads complete in place.
 */
package dev.asyncsocket.netty;
