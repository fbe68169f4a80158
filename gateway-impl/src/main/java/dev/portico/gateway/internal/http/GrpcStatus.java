package dev.portico.gateway.internal.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The gateway's refusals as gRPC answers: which requests are gRPC calls, the gRPC status code of an
 * HTTP refusal, and the {@code grpc-message} encoding. A gRPC client reads the status from
 * trailers, not from the HTTP status, so a refusal of a gRPC call is "trailers-only": HTTP 200,
 * {@code content-type: application/grpc}, {@code grpc-status} and {@code grpc-message} in the head,
 * and no body. Not public API.
 *
 * <p>The codes follow gRPC's {@code statuscodes.md} and {@code http-grpc-status-mapping.md}, made
 * precise by what the gateway knows of its own refusals: 400 is {@code INVALID_ARGUMENT} (the
 * gateway refused the request's path, headers or content; the mapping document's {@code INTERNAL}
 * is for a client that receives a bare 400 and must assume its own library erred), 429 is
 * {@code RESOURCE_EXHAUSTED} (a quota, not an unavailable server), 504 is {@code DEADLINE_EXCEEDED}.
 */
public final class GrpcStatus {
  public static final int OK = 0;
  public static final int UNKNOWN = 2;
  public static final int INVALID_ARGUMENT = 3;
  public static final int DEADLINE_EXCEEDED = 4;
  public static final int PERMISSION_DENIED = 7;
  public static final int RESOURCE_EXHAUSTED = 8;
  public static final int UNIMPLEMENTED = 12;
  public static final int INTERNAL = 13;
  public static final int UNAVAILABLE = 14;
  public static final int UNAUTHENTICATED = 16;

  /** The header that carries the status code. */
  public static final String STATUS = "grpc-status";
  /** The header that carries the status message, percent-encoded. */
  public static final String MESSAGE = "grpc-message";
  /** The header that carries the call's timeout ({@link GrpcTimeout}). */
  public static final String TIMEOUT = "grpc-timeout";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private GrpcStatus() {}

  /**
   * Returns whether {@code headers} are those of a gRPC call: {@code content-type} is
   * {@code application/grpc}, alone or with a subtype ({@code +proto}, {@code +json}...) or
   * parameters. gRPC-Web ({@code application/grpc-web}) is not a gRPC call here.
   */
  public static boolean isGrpc(HttpFields headers) {
    HttpField field = headers.getField(HttpHeader.CONTENT_TYPE);
    if (field == null) {
      return false;
    }
    String value = field.getValue();
    int length = "application/grpc".length();
    if (!value.regionMatches(true, 0, "application/grpc", 0, length)) {
      return false;
    }
    if (value.length() == length) {
      return true;
    }
    char next = value.charAt(length);
    return next == '+' || next == ';' || next == ' ' || next == '\t';
  }

  /** Returns the gRPC status code for a refusal with HTTP status {@code httpStatus}. */
  public static int fromHttp(int httpStatus) {
    return switch (httpStatus) {
      case 400, 411, 414, 415, 422 -> INVALID_ARGUMENT;
      case 401 -> UNAUTHENTICATED;
      case 403 -> PERMISSION_DENIED;
      case 404, 405, 501 -> UNIMPLEMENTED;
      case 408, 504 -> DEADLINE_EXCEEDED;
      case 413, 429, 431 -> RESOURCE_EXHAUSTED;
      case 500 -> INTERNAL;
      case 502, 503 -> UNAVAILABLE;
      default -> UNKNOWN;
    };
  }

  /**
   * Returns the {@code grpc-status} and {@code grpc-message} fields of status {@code code} with
   * {@code message}, encoded ({@link #encodeMessage}).
   */
  public static HttpFields fields(int code, String message) {
    return HttpFields.build(2)
        .put(STATUS, Integer.toString(code))
        .put(MESSAGE, encodeMessage(message))
        .asImmutable();
  }

  /**
   * Returns {@code message} percent-encoded as {@code grpc-message} requires: UTF-8 bytes, every
   * byte outside {@code %x20-%x7E}, and {@code %} itself, as {@code %XX}.
   */
  public static String encodeMessage(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = null;
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xFF;
      boolean plain = b >= 0x20 && b <= 0x7E && b != '%';
      if (out == null && !plain) {
        out = new ByteArrayOutputStream(bytes.length + 16);
        out.write(bytes, 0, i);
      }
      if (out != null) {
        if (plain) {
          out.write(b);
        } else {
          out.write('%');
          out.write(HEX[b >> 4]);
          out.write(HEX[b & 0xF]);
        }
      }
    }
    return out == null ? message : out.toString(StandardCharsets.US_ASCII);
  }
}
