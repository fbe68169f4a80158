package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a {@link FakeUpstream} answers: status, headers, body, and how long it waits before
 * answering. Immutable: each {@code with}-style method returns a new answer.
 *
 * <pre>{@code
 * upstream.enqueue(UpstreamAnswer.status(503).header("Retry-After", "1"));
 * upstream.answer(UpstreamAnswer.json(200, "{\"id\":7}").delay(Duration.ofMillis(200)));
 * }</pre>
 */
public final class UpstreamAnswer {
  private final int status;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final Duration delay;

  private UpstreamAnswer(int status, List<Map.Entry<String, String>> headers, byte[] body, Duration delay) {
    this.status = status;
    this.headers = List.copyOf(headers);
    this.body = body;
    this.delay = delay;
  }

  /** Returns an answer with {@code status}, no headers, an empty body and no delay. */
  public static UpstreamAnswer status(int status) {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 200 to 599)");
    }
    return new UpstreamAnswer(status, List.of(), new byte[0], Duration.ZERO);
  }

  /** Returns a {@code text/plain} answer with {@code status} and {@code body}. */
  public static UpstreamAnswer text(int status, String body) {
    return status(status).header("Content-Type", "text/plain;charset=utf-8").body(body);
  }

  /** Returns an {@code application/json} answer with {@code status} and {@code json}. */
  public static UpstreamAnswer json(int status, String json) {
    return status(status).header("Content-Type", "application/json").body(json);
  }

  /** Returns this answer with one more header field {@code name: value}. */
  public UpstreamAnswer header(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 127)) {
      throw new IllegalArgumentException("name: " + name + " (expected: an HTTP token)");
    }
    if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      throw new IllegalArgumentException("value of " + name + ": contains CR, LF or NUL");
    }
    List<Map.Entry<String, String>> more = new ArrayList<>(headers);
    more.add(Map.entry(name, value));
    return new UpstreamAnswer(status, more, body, delay);
  }

  /** Returns this answer with {@code body} (UTF-8). */
  public UpstreamAnswer body(String body) {
    return body(requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
  }

  /** Returns this answer with {@code body}. */
  public UpstreamAnswer body(byte[] body) {
    return new UpstreamAnswer(status, headers, requireNonNull(body, "body").clone(), delay);
  }

  /** Returns this answer sent only after {@code delay} (the upstream holds no thread meanwhile). */
  public UpstreamAnswer delay(Duration delay) {
    requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
    }
    return new UpstreamAnswer(status, headers, body, delay);
  }

  /** Returns the status code. */
  public int statusCode() {
    return status;
  }

  /** Returns the header fields, in order. */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** Returns a copy of the body. */
  public byte[] bodyBytes() {
    return body.clone();
  }

  /** Returns how long the upstream waits before answering. */
  public Duration delayTime() {
    return delay;
  }

  UpstreamAnswer withStatus(int status) {
    return new UpstreamAnswer(status, headers, body, delay);
  }

  byte[] rawBody() {
    return body;
  }

  @Override
  public String toString() {
    return "UpstreamAnswer{" + status + ", " + headers.size() + " headers, " + body.length + " bytes, delay " + delay + "}";
  }
}
