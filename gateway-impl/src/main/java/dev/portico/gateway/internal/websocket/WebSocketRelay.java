package dev.portico.gateway.internal.websocket;

import dev.portico.gateway.WebSocketSettings;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one WebSocket connection: two frame handlers, one on the upstream's session (opened first,
 * by the gateway's client) and one on the client's (opened when the host switched the connection).
 * Neither side reads a frame before both are open; then each frame is read only after the previous
 * one was written to the other side, so a slow reader slows the writer down. Data, ping and pong
 * frames pass as they are (fragments included); a close frame is passed on with its code and
 * reason, and the close handshake completes on each side. A message over the size limit closes
 * both sides with 1009; a text message that is not UTF-8 ({@link Utf8Validator}, checked as its
 * frames arrive, before each is passed on) closes both sides with 1007, so no peer ever receives
 * one; a side that goes away without a close (or times out) closes the other with 1001. Not
 * public API.
 */
public final class WebSocketRelay {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketRelay.class);

  private final String requestId;
  private final WebSocketSettings settings;
  private final Side upstream = new Side("upstream");
  private final Side client = new Side("client");
  private final AtomicBoolean ended = new AtomicBoolean();
  /** Sessions closed so far: the relay ends at two, or at one when the client side never opened. */
  private final AtomicInteger closedSessions = new AtomicInteger();
  private final Runnable onEnd;

  /** {@code onEnd} runs once, when both sessions are closed (or the relay never started). */
  public WebSocketRelay(String requestId, WebSocketSettings settings, Runnable onEnd) {
    this.requestId = requestId;
    this.settings = settings;
    this.onEnd = onEnd;
    upstream.peer = client;
    client.peer = upstream;
  }

  /** Returns the handler of the upstream's session. */
  public FrameHandler upstreamHandler() {
    return upstream;
  }

  /** Returns the handler of the client's session. */
  public FrameHandler clientHandler() {
    return client;
  }

  /** Applies the route's limits to a session's configuration. */
  public void configure(Configuration configuration) {
    configuration.setIdleTimeout(settings.idleTimeout());
    configuration.setMaxFrameSize(settings.maxMessageSize());
    configuration.setMaxTextMessageSize(settings.maxMessageSize());
    configuration.setMaxBinaryMessageSize(settings.maxMessageSize());
    configuration.setAutoFragment(false);
  }

  /** The client side will never open (the upgrade was refused or the exchange failed): close the upstream. */
  public void abandon(String why) {
    CoreSession session = upstream.session;
    if (session != null) {
      session.close(CloseStatus.SHUTDOWN, why, Callback.NOOP);
    } else {
      end();
    }
  }

  private void bothOpen() {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} websocket relay open", requestId);
    }
    upstream.session.demand();
    client.session.demand();
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      onEnd.run();
    }
  }

  /** One half of the relay: reads from its session, writes to its peer's. */
  private final class Side implements FrameHandler {
    private final String name;
    Side peer;
    volatile @Nullable CoreSession session;
    /** Bytes of the message being received; touched only by onFrame, never concurrent. */
    private long messageBytes;
    /** Whether the message being received is text; onFrame only. */
    private boolean text;
    private final Utf8Validator utf8 = new Utf8Validator();

    Side(String name) {
      this.name = name;
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
      this.session = coreSession;
      callback.succeeded();
      if (this == client) {
        bothOpen();   // the upstream opened first; now both may read
      }
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
      CoreSession self = session;
      CoreSession other = peer.session;
      byte op = frame.getOpCode();
      if (op == OpCode.CLOSE) {
        CloseStatus status = CloseStatus.getCloseStatus(frame);
        if (other != null && other.isOutputOpen()) {
          // Pass the close on; when it is written, let websocket-core answer this side's close.
          other.close(status, Callback.from(callback::succeeded, x -> callback.succeeded()));
        } else {
          callback.succeeded();   // the answer to a close we passed on
        }
        return;
      }
      if (frame.isDataFrame()) {
        messageBytes = op == OpCode.CONTINUATION ? messageBytes + frame.getPayloadLength() : frame.getPayloadLength();
        if (messageBytes > settings.maxMessageSize()) {
          LOG.debug("{} websocket message from {} over {} bytes", requestId, name, settings.maxMessageSize());
          callback.succeeded();
          closeBoth(CloseStatus.MESSAGE_TOO_LARGE, "message too large");
          return;
        }
        if (op != OpCode.CONTINUATION) {
          text = op == OpCode.TEXT;
          utf8.reset();
        }
        if (text && !isUtf8(frame)) {
          LOG.debug("{} websocket text message from {} is not UTF-8", requestId, name);
          callback.succeeded();
          closeBoth(CloseStatus.BAD_PAYLOAD, "text message is not UTF-8");
          return;
        }
      }
      if (other == null || !other.isOutputOpen()) {
        callback.succeeded();
        self.demand();
        return;
      }
      Frame copy = new Frame(op, frame.isFin(), frame.getPayload());
      other.sendFrame(copy, Callback.from(() -> {
        callback.succeeded();
        self.demand();   // the next frame only once this one was written to the other side
      }, callback::failed), false);
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} websocket {} side error: {}", requestId, name, String.valueOf(cause));
      }
      callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} websocket {} side closed: {}", requestId, name, closeStatus);
      }
      CoreSession other = peer.session;
      if (other != null && other.isOutputOpen()) {
        // Gone without a close handshake we could pass on (dropped, timed out, failed).
        int code = CloseStatus.isTransmittableStatusCode(closeStatus.getCode()) ? closeStatus.getCode()
            : CloseStatus.SHUTDOWN;
        other.close(code, closeStatus.getReason(), Callback.NOOP);
      }
      callback.succeeded();
      if (closedSessions.incrementAndGet() == 2 || this == upstream && client.session == null) {
        end();
      }
    }

    /** Whether this frame of a text message keeps it UTF-8, and, when it is the last, ends it on a character. */
    private boolean isUtf8(Frame frame) {
      ByteBuffer payload = frame.getPayload();
      return (payload == null || utf8.accept(payload)) && (!frame.isFin() || utf8.isComplete());
    }

    private void closeBoth(int code, String reason) {
      CoreSession mine = session;
      CoreSession theirs = peer.session;
      if (mine != null) {
        mine.close(code, reason, Callback.NOOP);
      }
      if (theirs != null) {
        theirs.close(code, reason, Callback.NOOP);
      }
    }

    @Override
    public String toString() {
      return "WebSocketRelay." + name + "[" + requestId + "]";
    }
  }
}
