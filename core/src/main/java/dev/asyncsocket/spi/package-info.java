/**
 * For implementations of {@link dev.asyncsocket.AsyncSocket}, not for its users: the logic every
 * implementation shares, so that each keeps the contract the same way.
 *
 * <ul>
 *   <li>{@link dev.asyncsocket.spi.SocketLifecycle}: the socket's state machine and the gate its send and
 *       receive calls pass through.</li>
 *   <li>{@link dev.asyncsocket.spi.OutstandingOperations}: counts accepted operations, so that a close can
 *       wait for their callbacks.</li>
 *   <li>{@link dev.asyncsocket.spi.Payload}: what makes a payload bad input, and how many bytes it holds.</li>
 *   <li>{@link dev.asyncsocket.spi.Callbacks}: runs user callbacks so that nothing they throw goes further.</li>
 * </ul>
 */
package dev.asyncsocket.spi;
