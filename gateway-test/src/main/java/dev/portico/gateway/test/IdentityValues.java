package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads identity header values ({@code X-Auth-Subject} and the like) the way a backend should: a
 * value that starts with {@code UTF-8''} is an RFC 8187 {@code ext-value} (percent-encoded UTF-8),
 * any other is plain and taken as it is. The gateway encodes every value that is not plain visible
 * ASCII, so a subject such as {@code admin日} arrives as {@code UTF-8''admin%E6%97%A5}.
 *
 * <pre>{@code
 * RecordedRequest received = upstream.takeRequest();
 * assertThat(IdentityValues.decode(received.header("X-Auth-Subject").orElseThrow())).isEqualTo("admin日");
 * }</pre>
 */
public final class IdentityValues {
  private static final String MARKER = "UTF-8''";

  private IdentityValues() {}

  /**
   * Returns {@code value} decoded: percent-decoded UTF-8 after the {@code UTF-8''} marker, or
   * {@code value} itself when it has no marker.
   *
   * @throws IllegalArgumentException if a {@code %} is not followed by two hex digits
   */
  public static String decode(String value) {
    requireNonNull(value, "value");
    if (!value.startsWith(MARKER)) {
      return value;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = MARKER.length(); i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 3 > value.length()) {
          throw new IllegalArgumentException("value: " + value + " (expected: two hex digits after each %)");
        }
        bytes.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
