package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request as a {@link FakeUpstream} received it: method, request target as sent (still
 * percent-encoded), header fields in the order they came, the body, the protocol version and the
 * client port of the connection it came on. Immutable.
 */
public final class RecordedRequest {
  private final String method;
  private final String target;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final String protocol;
  private final int clientPort;

  RecordedRequest(String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
      String protocol, int clientPort) {
    this.method = requireNonNull(method, "method");
    this.target = requireNonNull(target, "target");
    this.headers = List.copyOf(headers);
    this.body = body.clone();
    this.protocol = requireNonNull(protocol, "protocol");
    this.clientPort = clientPort;
  }

  /** Returns the method, such as {@code GET}. */
  public String method() {
    return method;
  }

  /** Returns the path and query as received, such as {@code /orders/7?x=%2F}. */
  public String target() {
    return target;
  }

  /** Returns the path part of {@link #target()}, without the query. */
  public String path() {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /** Returns every header field, name as sent and value, in the order received. */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** Returns the first value of header {@code name} (any case), if there is one. */
  public Optional<String> header(String name) {
    List<String> values = headerValues(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Returns every value of header {@code name} (any case), in the order received. */
  public List<String> headerValues(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> field : headers) {
      if (field.getKey().toLowerCase(Locale.ROOT).equals(lower)) {
        values.add(field.getValue());
      }
    }
    return values;
  }

  /** Returns a copy of the body's bytes (empty when there was none). */
  public byte[] body() {
    return body.clone();
  }

  /** Returns the body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Returns the protocol version it came with: {@code HTTP/1.1}, or {@code HTTP/2.0} over HTTP/2. */
  public String protocol() {
    return protocol;
  }

  /**
   * Returns the port of the client end of the connection it came on: requests with the same client
   * port came on the same connection.
   */
  public int clientPort() {
    return clientPort;
  }

  @Override
  public String toString() {
    return method + " " + target + " " + protocol + " (" + headers.size() + " headers, " + body.length + " body bytes)";
  }
}
