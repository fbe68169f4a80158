package dev.portico.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Reading identity header values the way a backend would (authentication.md, *Identity propagation*). */
public final class IdentityValues {
  private static final String MARKER = "UTF-8''";

  private IdentityValues() {}

  /** The reference decoder: a value starting with {@code UTF-8''} is percent-decoded UTF-8, any other is taken as it is. */
  public static String decode(String value) {
    if (!value.startsWith(MARKER)) {
      return value;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = MARKER.length(); i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
