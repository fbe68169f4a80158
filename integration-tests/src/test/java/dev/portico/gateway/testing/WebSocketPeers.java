package dev.portico.gateway.testing;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;
import org.jspecify.annotations.Nullable;

/**
 * The two ends of a proxied WebSocket for tests, on Jetty's websocket-core: an echo server that
 * echoes data frames, answers pings with pongs, closes with a code on request ({@code close:4001}
 * as a text message), sends a ping on request ({@code ping:data}), sends a text message of any
 * bytes on request ({@code raw:e282|ac}: hex, one frame per {@code |}-separated part, websocket-core
 * checks none of it) and records what it saw, connections included; and a client that records
 * every frame it receives.
 */
public final class WebSocketPeers {
  private WebSocketPeers() {}

  /** A WebSocket echo upstream on a loopback port. */
  public static final class EchoServer implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    public final List<HttpFields> handshakes = new CopyOnWriteArrayList<>();
    /** The data frames received, copied. */
    public final List<Frame> received = new CopyOnWriteArrayList<>();
    public final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    private final AtomicInteger connections = new AtomicInteger();

    public EchoServer() throws Exception {
      connector.setHost("127.0.0.1");
      connector.addEventListener(new Connection.Listener() {
        @Override
        public void onOpened(Connection connection) {
          connections.incrementAndGet();
        }
      });
      server.addConnector(connector);
      WebSocketNegotiator negotiator = new WebSocketNegotiator() {
        @Override
        public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
          handshakes.add(HttpFields.build(request.getHeaders()).asImmutable());
          if (request.hasSubProtocol("echo.v1")) {
            response.setAcceptedSubProtocol("echo.v1");
          }
          return new Echo();
        }
      };
      server.setHandler(new WebSocketUpgradeHandler(ws -> ws.addMapping("/*", negotiator)));
      server.start();
    }

    public String uri() {
      return "http://127.0.0.1:" + connector.getLocalPort();
    }

    /** Returns how many TCP connections were opened to this server. */
    public int connections() {
      return connections.get();
    }

    @Override
    public void close() throws Exception {
      server.stop();
    }

    private final class Echo implements FrameHandler {
      private @Nullable CoreSession session;

      @Override
      public void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        callback.succeeded();
        coreSession.demand();
      }

      @Override
      public void onFrame(Frame frame, Callback callback) {
        CoreSession s = session;
        byte op = frame.getOpCode();
        if (op == OpCode.TEXT && frame.getPayloadAsUTF8().startsWith("close:")) {
          int code = Integer.parseInt(frame.getPayloadAsUTF8().substring(6));
          // Then read on: the gateway's answer to this close ends the session.
          s.close(code, "bye from upstream", Callback.from(() -> {
            callback.succeeded();
            s.demand();
          }, callback::failed));
          return;
        }
        if (op == OpCode.TEXT && frame.getPayloadAsUTF8().startsWith("ping:")) {
          s.sendFrame(new Frame(OpCode.PING, frame.getPayloadAsUTF8().substring(5)), Callback.from(() -> {
            callback.succeeded();
            s.demand();
          }, callback::failed), false);
          return;
        }
        if (op == OpCode.TEXT && frame.getPayloadAsUTF8().startsWith("raw:")) {
          String[] parts = frame.getPayloadAsUTF8().substring(4).split("\\|");
          sendRaw(s, parts, 0, Callback.from(() -> {
            callback.succeeded();
            s.demand();
          }, callback::failed));
          return;
        }
        if (op == OpCode.CLOSE) {
          callback.succeeded();   // websocket-core answers with the same status
          return;
        }
        if (frame.isDataFrame()) {
          received.add(new Frame(op, frame.isFin(), copy(frame.getPayload())));
        }
        Frame echo = op == OpCode.PING ? new Frame(OpCode.PONG, copy(frame.getPayload()))
            : op == OpCode.PONG ? null : new Frame(op, frame.isFin(), copy(frame.getPayload()));
        if (echo == null) {
          callback.succeeded();
          s.demand();
          return;
        }
        s.sendFrame(echo, Callback.from(() -> {
          callback.succeeded();
          s.demand();
        }, callback::failed), false);
      }

      /** Sends {@code parts[index..]} as the frames of one text message, one after the other. */
      private void sendRaw(CoreSession s, String[] parts, int index, Callback done) {
        Frame frame = new Frame(index == 0 ? OpCode.TEXT : OpCode.CONTINUATION, index == parts.length - 1,
            ByteBuffer.wrap(HexFormat.of().parseHex(parts[index])));
        Callback next = index == parts.length - 1 ? done
            : Callback.from(() -> sendRaw(s, parts, index + 1, done), done::failed);
        s.sendFrame(frame, next, false);
      }

      @Override
      public void onError(Throwable cause, Callback callback) {
        callback.succeeded();
      }

      @Override
      public void onClosed(CloseStatus closeStatus, Callback callback) {
        closed.complete(closeStatus);
        callback.succeeded();
      }
    }
  }

  /** A WebSocket client that keeps every frame it receives. */
  public static final class Client implements FrameHandler, AutoCloseable {
    private final WebSocketCoreClient client = new WebSocketCoreClient();
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    public final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    private volatile @Nullable CoreSession session;

    public Client() throws Exception {
      client.start();
    }

    /** Connects to {@code uri} ({@code ws://...}) with {@code headers}, offering {@code subProtocols}. */
    public CompletableFuture<CoreSession> connect(String uri, HttpFields headers, String... subProtocols) throws Exception {
      CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client, URI.create(uri), this);
      request.headers(h -> h.add(headers));
      if (subProtocols.length > 0) {
        request.setSubProtocols(subProtocols);
      }
      return client.connect(request);
    }

    public CoreSession session() {
      return session;
    }

    /** Returns the frames received and not yet taken with {@link #next()}. */
    public List<Frame> untaken() {
      return List.copyOf(frames);
    }

    /** Sends {@code frame} and waits for it to be written. */
    public void send(Frame frame) throws Exception {
      Callback.Completable done = new Callback.Completable();
      session.sendFrame(frame, done, false);
      done.get(10, TimeUnit.SECONDS);
    }

    /** Returns the next frame received, waiting up to 10 s. */
    public Frame next() throws InterruptedException {
      Frame f = frames.poll(10, TimeUnit.SECONDS);
      if (f == null) {
        throw new AssertionError("no frame within 10 s");
      }
      return f;
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
      session = coreSession;
      callback.succeeded();
      coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
      if (frame.getOpCode() != OpCode.CLOSE) {
        frames.add(new Frame(frame.getOpCode(), frame.isFin(), copy(frame.getPayload())));
      }
      callback.succeeded();
      session.demand();
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
      callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
      closed.complete(closeStatus);
      callback.succeeded();
    }

    @Override
    public void close() throws Exception {
      client.stop();
    }
  }

  static ByteBuffer copy(@Nullable ByteBuffer payload) {
    if (payload == null) {
      return ByteBuffer.allocate(0);
    }
    ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
    copy.put(payload.slice()).flip();
    return copy;
  }
}
