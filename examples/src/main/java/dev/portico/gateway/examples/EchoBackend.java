package dev.portico.gateway.examples;

import java.net.URI;
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

/**
 * The backend behind the examples' gateways: a Jetty server on an ephemeral loopback port that
 * answers every request with JSON showing what reached it (method, path, query, and the headers a
 * gateway sets or strips), so each example's output shows what the gateway did.
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
    server.setHandler(new Echo());
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
