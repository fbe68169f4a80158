package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * What an {@link ErrorMapper} answers: a status, headers and a body.
 *
 * <pre>{@code
 * ErrorResponse.of(403, "application/json", bytes)
 * ErrorResponse.ofUtf8(404, "text/plain; charset=utf-8", "not here")
 * }</pre>
 */
public final class ErrorResponse {
  private final int status;
  private final HttpHeaders headers;
  private final byte[] body;

  private ErrorResponse(int status, HttpHeaders headers, byte[] body) {
    if (status < 200 || status > 599 || status == 204 || status == 304) {
      throw new IllegalArgumentException("status: " + status + " (expected: 200-599 with a body, so not 204 or 304)");
    }
    this.status = status;
    this.headers = requireNonNull(headers, "headers");
    this.body = requireNonNull(body, "body").clone();
  }

  /** Returns a response with {@code headers} and {@code body}; the array is copied. */
  public static ErrorResponse of(int status, HttpHeaders headers, byte[] body) {
    return new ErrorResponse(status, headers, body);
  }

  /** Returns a response with {@code Content-Type: contentType} and {@code body}; the array is copied. */
  public static ErrorResponse of(int status, String contentType, byte[] body) {
    return new ErrorResponse(status, HttpHeaders.builder().add("Content-Type", contentType).build(), body);
  }

  /** Returns a response with {@code Content-Type: contentType} and {@code text} in UTF-8. */
  public static ErrorResponse ofUtf8(int status, String contentType, String text) {
    return of(status, contentType, requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the status. */
  public int status() {
    return status;
  }

  /** Returns the headers, such as {@code Content-Type}; {@code Content-Length} is the engine's. */
  public HttpHeaders headers() {
    return headers;
  }

  /** Returns a copy of the body. */
  public byte[] body() {
    return body.clone();
  }

  /** Returns the body's length in bytes. */
  public int length() {
    return body.length;
  }

  /** Passes the body to {@code sink} without copying it; the sink must not change it. */
  public void writeTo(java.util.function.Consumer<java.nio.ByteBuffer> sink) {
    sink.accept(java.nio.ByteBuffer.wrap(body).asReadOnlyBuffer());
  }

  @Override
  public String toString() {
    return "ErrorResponse{status=" + status + ", " + body.length + " bytes}";
  }
}
