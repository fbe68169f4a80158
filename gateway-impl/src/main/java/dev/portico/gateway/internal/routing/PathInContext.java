package dev.portico.gateway.internal.routing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Finds, in the raw path of a request target, the part below the context path that the host
 * dispatched the request to: what the gateway routes on when it is mounted under a context path
 * (a servlet context, a Jetty {@code ContextHandler}). Not public API.
 *
 * <p>The host chose the context from its own reading of the target: it decoded it, dropped
 * {@code ;} parameters, folded empty segments and resolved dot-segments, and it reports the path
 * below the context in that decoded form ({@code getServletPath() + getPathInfo()}, Jetty's
 * {@code Request.getPathInContext}). The client may have spelled the context part any way the host
 * accepts ({@code //c3}, {@code /./c3}, {@code /%63%33}, {@code /c3;x=y}, {@code /x/../c3}), so
 * cutting the context path's length, or its number of segments, off the raw target can leave
 * part of it in ({@code //c3/admin/x} read as {@code /c3/admin/x}, which no {@code /admin/**}
 * route protects). Instead, the raw path is read segment by segment the way the host reads it,
 * and it is cut right after the last raw segment that makes up the context; what follows must
 * read, segment by segment, exactly as the host's dispatched path. When it does not, there is no
 * way to tell what the host meant, and the answer is null (refused as {@code bad-path}).
 *
 * <pre>{@code
 * PathInContext.rawPath("//c3/admin/x", "/admin/x", false);       // "/admin/x"
 * PathInContext.rawPath("/c3/a/%2e%2e/x", "/x", false);           // "/a/%2e%2e/x": the normalizer refuses it
 * PathInContext.rawPath("/c3/admin/x", "/other", false);          // null
 * }</pre>
 *
 * <p>The raw part is returned as the client sent it, dot-segments and encodings included, so that
 * {@link PathNormalizer} still judges every byte of it. Thread-safe: the class has no state.
 */
public final class PathInContext {
  /** The refusal, safe to show the client, when {@link #rawPath} finds nothing. */
  public static final String NOT_FOUND =
      "the path below the context path cannot be found in the request target as the server read it";

  private PathInContext() {}

  /**
   * Returns the raw path below the context, or null when {@code rawPath} cannot be read as the
   * host's {@code dispatchedPath}.
   *
   * @param rawPath the path of the request target as received, still percent-encoded
   * @param dispatchedPath the path below the context as the host reads it; empty for the context root
   * @param dispatchedEncoded whether {@code dispatchedPath} is still percent-encoded (Jetty's
   *     canonical path) rather than decoded (the servlet API)
   */
  public static @Nullable String rawPath(String rawPath, String dispatchedPath, boolean dispatchedEncoded) {
    requireNonNull(rawPath, "rawPath");
    requireNonNull(dispatchedPath, "dispatchedPath");
    if (isPlain(rawPath) && dispatchedPath.startsWith("/") && rawPath.endsWith(dispatchedPath)) {
      // Nothing to decode, drop or resolve: the host read the raw path as it is, context first.
      return rawPath.substring(rawPath.length() - dispatchedPath.length());
    }
    if (!rawPath.startsWith("/")) {
      return null;
    }
    List<String> wanted = dispatchedSegments(dispatchedPath, dispatchedEncoded);
    // The host's reading of the raw path: for each segment kept, its raw text and where it ends.
    List<String> kept = new ArrayList<>();
    List<Integer> ends = new ArrayList<>();
    int n = rawPath.length();
    int start = 0;
    while (start < n) {
      int end = rawPath.indexOf('/', start + 1);
      if (end < 0) {
        end = n;
      }
      int parameters = rawPath.indexOf(';', start + 1);
      String raw = rawPath.substring(start + 1, parameters >= 0 && parameters < end ? parameters : end);
      String name = decode(raw, UTF_8);
      if (name.equals("..")) {
        if (!kept.isEmpty()) {
          kept.remove(kept.size() - 1);
          ends.remove(ends.size() - 1);
        }
      } else if (!name.isEmpty() && !name.equals(".")) {
        kept.add(raw);
        ends.add(end);
      }
      start = end;
    }
    int context = kept.size() - wanted.size();
    if (context < 0) {
      return null;
    }
    for (int i = 0; i < wanted.size(); i++) {
      if (!readsAs(kept.get(context + i), wanted.get(i))) {
        return null;
      }
    }
    String below = context == 0 ? rawPath : rawPath.substring(ends.get(context - 1));
    return below.isEmpty() ? "/" : below;
  }

  /**
   * Whether the host reads {@code rawPath} as it is: no percent-encoding, no parameters, no empty
   * or dot-segments.
   */
  private static boolean isPlain(String rawPath) {
    int n = rawPath.length();
    for (int i = 0; i < n; i++) {
      char c = rawPath.charAt(i);
      if (c == '%' || c == ';' || c == '\\') {
        return false;
      }
      if (c == '/' && i + 1 < n && (rawPath.charAt(i + 1) == '/' || rawPath.charAt(i + 1) == '.')) {
        return false;
      }
    }
    return true;
  }

  private static List<String> dispatchedSegments(String path, boolean encoded) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      String name = encoded ? decode(segment, UTF_8) : segment;
      if (!name.isEmpty() && !name.equals(".")) {
        segments.add(name);
      }
    }
    return segments;
  }

  /** Whether the raw segment decodes to {@code name}, in UTF-8 or (a host set up that way) ISO-8859-1. */
  private static boolean readsAs(String raw, String name) {
    return decode(raw, UTF_8).equals(name) || raw.indexOf('%') >= 0 && decode(raw, ISO_8859_1).equals(name);
  }

  /** Percent-decodes leniently, as a host does before it maps: an invalid escape stays as it is. */
  private static String decode(String s, Charset charset) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      int octet = c == '%' ? HttpSyntax.percentDecoded(s, i, n) : -1;
      if (octet >= 0) {
        bytes.write(octet);
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    return bytes.toString(charset);
  }
}
