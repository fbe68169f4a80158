package dev.portico.gateway.internal.http;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * The {@code grpc-timeout} request header: a positive integer of at most 8 digits and a unit,
 * {@code H} (hours), {@code M} (minutes), {@code S} (seconds), {@code m} (milliseconds), {@code u}
 * (microseconds) or {@code n} (nanoseconds), as gRPC's HTTP/2 protocol document defines it. Not
 * public API.
 */
public final class GrpcTimeout {
  /** Returned by {@link #nanos} when the request has no {@code grpc-timeout}. */
  public static final long ABSENT = -1;
  /** Returned by {@link #nanos} when {@code grpc-timeout} is not in the format. */
  public static final long MALFORMED = -2;

  private GrpcTimeout() {}

  /**
   * Returns the timeout {@code headers} carry, in nanoseconds, or {@link #ABSENT}, or
   * {@link #MALFORMED} (also for a header sent twice).
   */
  public static long nanos(HttpFields headers) {
    HttpField found = null;
    for (HttpField field : headers) {
      if (field.is(GrpcStatus.TIMEOUT)) {
        if (found != null) {
          return MALFORMED;
        }
        found = field;
      }
    }
    return found == null ? ABSENT : parse(found.getValue());
  }

  /** Returns {@code value} in nanoseconds, or {@link #MALFORMED}. */
  public static long parse(String value) {
    int digits = value.length() - 1;
    if (digits < 1 || digits > 8) {
      return MALFORMED;
    }
    long amount = 0;
    for (int i = 0; i < digits; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return MALFORMED;
      }
      amount = amount * 10 + (c - '0');
    }
    long unit = switch (value.charAt(digits)) {
      case 'H' -> 3_600_000_000_000L;
      case 'M' -> 60_000_000_000L;
      case 'S' -> 1_000_000_000L;
      case 'm' -> 1_000_000L;
      case 'u' -> 1_000L;
      case 'n' -> 1L;
      default -> 0L;
    };
    if (unit == 0) {
      return MALFORMED;
    }
    // 99,999,999 hours do not fit in a long of nanoseconds: such a timeout is as good as none.
    return amount > Long.MAX_VALUE / unit ? Long.MAX_VALUE : amount * unit;
  }
}
