package dev.portico.gateway.examples.boot.dev;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for a backend service, on a free loopback port: it answers every request with JSON
 * saying which backend it is and what it received, the gateway's {@code X-User} header and whether
 * an {@code Authorization} header reached it (it should not: the gateway strips the token).
 */
final class FakeBackend implements AutoCloseable {
  private final String name;
  private final HttpServer server;

  private FakeBackend(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  /** Starts the backend {@code name} on {@code 127.0.0.1} and a free port. */
  static FakeBackend start(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    FakeBackend backend = new FakeBackend(name, server);
    server.createContext("/", backend::answer);
    server.start();
    return backend;
  }

  /** The backend's base URI, {@code http://127.0.0.1:PORT}. */
  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange; InputStream body = exchange.getRequestBody()) {
      body.transferTo(OutputStream.nullOutputStream());
      Map<String, Object> echo = new LinkedHashMap<>();
      echo.put("backend", name);
      echo.put("method", exchange.getRequestMethod());
      echo.put("path", exchange.getRequestURI().toString());
      echo.put("user", exchange.getRequestHeaders().getFirst("X-User"));
      echo.put("authorizationReceived", exchange.getRequestHeaders().containsKey("Authorization"));
      byte[] json = JsonMapper.shared().writeValueAsBytes(echo);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, json.length);
      exchange.getResponseBody().write(json);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  @Override
  public String toString() {
    return name + " at " + uri();
  }
}
