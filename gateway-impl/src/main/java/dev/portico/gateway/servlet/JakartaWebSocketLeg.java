package dev.portico.gateway.servlet;

import dev.portico.gateway.internal.websocket.WebSocketUpgrade;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.OutgoingEntry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's half of a proxied WebSocket on a servlet container: a {@code jakarta.websocket}
 * {@link Endpoint} that presents the container's {@link Session} to the engine's relay as a
 * websocket-core session, so the relay (close codes, size limit, end of the exchange) is the one
 * the Jetty core adapter uses.
 *
 * <p>Back-pressure, as far as {@code jakarta.websocket} allows it: it has no way to pause reading.
 * <ul>
 *   <li>upstream to client: each message is sent with the asynchronous remote, and the relay asks
 *       the upstream for its next frame only when the container reports the send complete; no
 *       thread waits. A fragmented upstream message is gathered first (the asynchronous remote
 *       sends whole messages only), under the route's message size limit, which the relay checks.
 *   <li>client to upstream: the container delivers each part of a message to {@code onMessage}
 *       and reads no further while it runs, so {@code onMessage} forwards the part and waits for
 *       the upstream write to complete, at most the route's idle timeout. It holds a container
 *       thread only while a frame is being written upstream.
 * </ul>
 * The container answers the client's pings itself; they do not reach the upstream. The upstream's
 * pings and pongs, and the client's pongs, are passed on.
 */
final class JakartaWebSocketLeg extends Endpoint {
  private static final Logger LOG = LoggerFactory.getLogger(JakartaWebSocketLeg.class);

  private final FrameHandler relay;
  private final long writeTimeoutMillis;
  private final ClientSession core = new ClientSession();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable Session session;
  /** Whether a client message is under way (its next part is a continuation); onMessage only. */
  private boolean inMessage;
  /** A high surrogate that ended the previous text part: UTF-8 encodes the pair as one character. */
  private @Nullable String heldSurrogate;

  JakartaWebSocketLeg(WebSocketUpgrade upgrade) {
    this.relay = upgrade.clientHandler();
    Configuration.ConfigurationCustomizer limits = new Configuration.ConfigurationCustomizer();
    upgrade.configure(limits);
    Duration idle = limits.getIdleTimeout();
    this.writeTimeoutMillis = idle == null || idle.isZero() || idle.isNegative() ? 30_000 : idle.toMillis();
    this.core.subProtocol = upgrade.subProtocol();
  }

  @Override
  public void onOpen(Session clientSession, EndpointConfig config) {
    this.session = clientSession;
    clientSession.setMaxIdleTimeout(writeTimeoutMillis);
    clientSession.addMessageHandler(String.class, (MessageHandler.Partial<String>) this::onText);
    clientSession.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) this::onBinary);
    clientSession.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) this::onPong);
    relay.onOpen(core, Callback.NOOP);   // both sides open: the relay starts reading the upstream
  }

  @Override
  public void onClose(Session clientSession, CloseReason reason) {
    if (closed.compareAndSet(false, true)) {
      relay.onClosed(new CloseStatus(reason.getCloseCode().getCode(), reason.getReasonPhrase()), Callback.NOOP);
    }
  }

  @Override
  public void onError(Session clientSession, Throwable cause) {
    relay.onError(cause, Callback.NOOP);
  }

  private void onText(String part, boolean last) {
    String text = heldSurrogate == null ? part : heldSurrogate + part;
    heldSurrogate = null;
    if (!last && !text.isEmpty() && Character.isHighSurrogate(text.charAt(text.length() - 1))) {
      heldSurrogate = text.substring(text.length() - 1);
      text = text.substring(0, text.length() - 1);
    }
    forward(new Frame(inMessage ? OpCode.CONTINUATION : OpCode.TEXT, last,
        ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))), last);
  }

  private void onBinary(ByteBuffer part, boolean last) {
    forward(new Frame(inMessage ? OpCode.CONTINUATION : OpCode.BINARY, last, part), last);
  }

  private void onPong(PongMessage pong) {
    forward(new Frame(OpCode.PONG, pong.getApplicationData()), true);
  }

  /**
   * Passes a client frame to the relay and waits until it was written upstream: the container reads
   * the client's next frame only once this returns. {@code endsMessage} is the data frame's fin.
   */
  private void forward(Frame frame, boolean endsMessage) {
    if (frame.isDataFrame()) {
      inMessage = !endsMessage;
    }
    CompletableFuture<Void> written = new CompletableFuture<>();
    relay.onFrame(frame, Callback.from(() -> written.complete(null), written::completeExceptionally));
    try {
      written.get(writeTimeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.debug("websocket upstream write timed out");
      core.close(CloseStatus.SHUTDOWN, "upstream write timed out", Callback.NOOP);
    } catch (ExecutionException e) {
      LOG.debug("websocket upstream write failed: {}", String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The client's session as the relay sees it: what it writes goes out through the container. */
  private final class ClientSession extends CoreSession.Empty {
    private final AtomicBoolean closeSent = new AtomicBoolean();
    @Nullable String subProtocol;
    /** The parts of a fragmented upstream message; the relay writes one frame at a time. */
    private final ByteArrayOutputStream gathered = new ByteArrayOutputStream();
    private byte gatheredOpCode;

    @Override
    public @Nullable String getNegotiatedSubProtocol() {
      return subProtocol;
    }

    @Override
    public boolean isOutputOpen() {
      Session s = session;
      return !closeSent.get() && !closed.get() && s != null && s.isOpen();
    }

    @Override
    public boolean isInputOpen() {
      return !closed.get();
    }

    @Override
    public void demand() {
      // jakarta.websocket cannot pause reading: the client side reads as its container does.
    }

    @Override
    public void sendFrame(OutgoingEntry entry) {
      Frame frame = entry.getFrame();
      Callback callback = entry.getCallback();
      Session s = session;
      if (s == null) {
        callback.failed(new IOException("the client session is not open"));
        return;
      }
      try {
        switch (frame.getOpCode()) {
          case OpCode.TEXT, OpCode.BINARY, OpCode.CONTINUATION -> sendData(s, frame, callback);
          case OpCode.PING -> {
            s.getAsyncRemote().sendPing(payload(frame));   // a control frame: a few bytes at most
            callback.succeeded();
          }
          case OpCode.PONG -> {
            s.getAsyncRemote().sendPong(payload(frame));
            callback.succeeded();
          }
          case OpCode.CLOSE -> close(CloseStatus.getCloseStatus(frame), callback);
          default -> callback.succeeded();
        }
      } catch (IOException | RuntimeException e) {
        callback.failed(e);
      }
    }

    private void sendData(Session s, Frame frame, Callback callback) throws CharacterCodingException {
      ByteBuffer payload = payload(frame);
      byte op = frame.getOpCode();
      if (op != OpCode.CONTINUATION) {
        gatheredOpCode = op;
        gathered.reset();
      }
      if (!frame.isFin() || op == OpCode.CONTINUATION) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        gathered.write(bytes, 0, bytes.length);
        if (!frame.isFin()) {
          callback.succeeded();   // gathered: the relay may read the next part (it counts the message's size)
          return;
        }
        payload = ByteBuffer.wrap(gathered.toByteArray());
        gathered.reset();
      }
      SendHandler done = (SendResult result) -> {
        if (result.isOK()) {
          callback.succeeded();
        } else {
          callback.failed(result.getException());
        }
      };
      if (gatheredOpCode == OpCode.TEXT) {
        s.getAsyncRemote().sendText(utf8(payload), done);
      } else {
        s.getAsyncRemote().sendBinary(payload, done);
      }
    }

    @Override
    public void close(CloseStatus status, Callback callback) {
      close(status.getCode(), status.getReason(), callback);
    }

    @Override
    public void close(int code, @Nullable String reason, Callback callback) {
      Session s = session;
      if (s == null || !closeSent.compareAndSet(false, true)) {
        callback.succeeded();
        return;
      }
      try {
        s.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(sendable(code)), shortReason(reason)));
        callback.succeeded();
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot close the client websocket: {}", e.toString());
        callback.succeeded();
      }
    }

    @Override
    public String toString() {
      return "JakartaWebSocketLeg.ClientSession[" + session + "]";
    }
  }

  private static ByteBuffer payload(Frame frame) {
    ByteBuffer payload = frame.getPayload();
    return payload == null ? ByteBuffer.allocate(0) : payload.slice();
  }

  private static String utf8(ByteBuffer payload) throws CharacterCodingException {
    CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(payload);
    return chars.toString();
  }

  /** Returns a code that may go on the wire: the ones that only report (1005, 1006, 1015) become 1000 or 1001. */
  static int sendable(int code) {
    if (code == CloseStatus.NO_CODE) {
      return CloseStatus.NORMAL;
    }
    if (!CloseStatus.isTransmittableStatusCode(code)) {
      return CloseStatus.SHUTDOWN;
    }
    return code;
  }

  /** Returns {@code reason} cut to the 123 bytes a close frame has room for. */
  static String shortReason(@Nullable String reason) {
    if (reason == null) {
      return "";
    }
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= 123) {
      return reason;
    }
    String cut = new String(bytes, 0, 123, StandardCharsets.UTF_8);
    // A character cut in half decodes to U+FFFD: drop it.
    return cut.endsWith("\uFFFD") ? cut.substring(0, cut.length() - 1) : cut;
  }
}
