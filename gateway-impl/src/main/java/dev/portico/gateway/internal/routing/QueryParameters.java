package dev.portico.gateway.internal.routing;

import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses a raw query string into decoded parameters for route query conditions. Not public API.
 *
 * <p>The query is split on {@code &}; each part is {@code name=value} or a bare {@code name} (an
 * empty value). Names and values are percent-decoded as UTF-8 with {@code +} read as a space, as
 * HTML forms encode them. Decoding is lenient, because a condition only compares: a {@code %} not
 * followed by two hex digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
 */
public final class QueryParameters {
  private QueryParameters() {}

  /** Returns the parameters of {@code rawQuery}, each name's values in order; empty for null. */
  public static Map<String, List<String>> parse(@Nullable String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> parameters = new HashMap<>();
    int start = 0;
    int n = rawQuery.length();
    while (start <= n) {
      int end = rawQuery.indexOf('&', start);
      if (end < 0) {
        end = n;
      }
      if (end > start) {
        int eq = rawQuery.indexOf('=', start);
        String name;
        String value;
        if (eq < 0 || eq > end) {
          name = decode(rawQuery, start, end);
          value = "";
        } else {
          name = decode(rawQuery, start, eq);
          value = decode(rawQuery, eq + 1, end);
        }
        parameters.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
      }
      start = end + 1;
    }
    return parameters;
  }

  /** Decodes {@code s[start, end)}: percent-encoded UTF-8, '+' as space. */
  public static String decode(String s, int start, int end) {
    boolean plain = true;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '+') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return s.substring(start, end);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(end - start);
    StringBuilder out = new StringBuilder(end - start);
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      int octet = c == '%' ? HttpSyntax.percentDecoded(s, i, end) : -1;
      if (octet >= 0) {
        bytes.write(octet);
        i += 2;
        continue;
      }
      flush(bytes, out);
      out.append(c == '+' ? ' ' : c);
    }
    flush(bytes, out);
    return out.toString();
  }

  private static void flush(ByteArrayOutputStream bytes, StringBuilder out) {
    if (bytes.size() > 0) {
      out.append(bytes.toString(StandardCharsets.UTF_8));
      bytes.reset();
    }
  }

}
