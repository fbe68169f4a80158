package dev.portico.gateway.examples;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * The backend behind the examples' gateways: a Jetty server on an ephemeral loopback port that
 * answers every request with JSON showing what reached it (method, path, query, and the headers a
 * gateway sets or strips), so each example's output shows what the gateway did. WebSocket
 * connections under {@code /chat/} get every message echoed back.
 */
final class EchoBackend implements AutoCloseable {
  /** The request headers the backend reports; absent ones are reported as null. */
  static final List<String> REPORTED_HEADERS = List.of("Host", "Authorization", "X-Request-Id",
      "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "Forwarded",
      "X-Auth-Subject", "X-Auth-Scopes", "X-Auth-Issuer", "X-Auth-Method");

  private final Server server;

  private EchoBackend(Server server) {
    this.server = server;
  }

  /** Starts the backend on 127.0.0.1 and a free port. */
  static EchoBackend start() throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    WebSocketNegotiator echo = new WebSocketNegotiator() {
      @Override
      public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        return new EchoFrames();
      }
    };
    WebSocketUpgradeHandler webSocket = new WebSocketUpgradeHandler(mappings -> mappings.addMapping("/chat/*", echo));
    webSocket.setHandler(new Echo());          // everything that is not a WebSocket upgrade
    server.setHandler(webSocket);
    server.start();
    return new EchoBackend(server);
  }

  /** Returns the backend's base URI, such as {@code http://127.0.0.1:41234/}. */
  URI uri() {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  @Override
  public void close() {
    Shutdown.inOrder("the echo backend", server::stop);
  }

  /** Echoes each data frame of a WebSocket connection, and answers pings. */
  private static final class EchoFrames implements FrameHandler {
    private CoreSession session;

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
      session = coreSession;
      callback.succeeded();
      session.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
      byte op = frame.getOpCode();
      if (!frame.isDataFrame() && op != OpCode.PING) {
        callback.succeeded();                  // pongs; a close is answered by websocket-core
        session.demand();
        return;
      }
      ByteBuffer copy = ByteBuffer.allocate(frame.getPayloadLength());
      copy.put(frame.getPayload().slice()).flip();
      Frame echo = op == OpCode.PING ? new Frame(OpCode.PONG, copy) : new Frame(op, frame.isFin(), copy);
      session.sendFrame(echo, Callback.from(() -> {
        callback.succeeded();
        session.demand();                      // the next frame once this one is written
      }, callback::failed), false);
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
      callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
      callback.succeeded();
    }
  }

  private static final class Echo extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Map<String, Object> headers = new LinkedHashMap<>();
      for (String name : REPORTED_HEADERS) {
        headers.put(name, request.getHeaders().get(name));
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("backend", "echo");
      body.put("method", request.getMethod());
      body.put("path", request.getHttpURI().getPath());
      body.put("query", request.getHttpURI().getQuery());
      body.put("headers", headers);
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      Content.Sink.write(response, true, Json.write(body) + "\n", callback);
      return true;
    }
  }
}
