package dev.portico.gateway.internal.http;

import dev.portico.gateway.Gateway;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.jspecify.annotations.Nullable;

/**
 * What the gateway keeps of a client's header fields, decided once per exchange before anything
 * reads them (route matching, global filters, authentication): it drops
 * <ul>
 *   <li>the gateway's {@link Gateway#identityHeaders()}, every header it may set from an identity
 *       on any route (so a client cannot send one to a route that does not set it, nor to a filter
 *       that trusts it);
 *   <li>the gateway's {@link Gateway#strippedClientHeaders()} ({@code X-Original-URL},
 *       {@code X-HTTP-Method-Override}, ...);
 *   <li>the fields the client's {@code Connection} header names (RFC 9110 7.6.1): they were meant
 *       for this hop only. Dropping them here, from the client's fields, means a client's
 *       {@code Connection} never removes a field the gateway adds later. A {@code Connection}
 *       header that named such fields is dropped with them; one that names only standard
 *       connection options ({@code close}, {@code keep-alive}, {@code Upgrade}) stays.
 * </ul>
 * Compiled with the engine; {@link #screen} is one pass over the fields and returns them as they
 * are (no copy) when nothing is dropped. Names compare ignoring case. Not public API.
 */
public final class IncomingHeaders {
  /**
   * Tokens of Connection that name the standard hop-by-hop fields, framing or Host: those are
   * handled where they are used (and dropped at the proxy step), never removed here.
   */
  private static final List<String> KEPT_TOKENS = List.of("close", "keep-alive", "upgrade", "te", "trailer",
      "transfer-encoding", "proxy-connection", "proxy-authenticate", "proxy-authorization", "connection",
      "content-length", "host");

  /** The names dropped, and for a cheap first test, which lengths they have. */
  private final String[] names;
  private final boolean[] lengths;

  private IncomingHeaders(Set<String> names) {
    this.names = names.toArray(String[]::new);
    int longest = 0;
    for (String name : this.names) {
      longest = Math.max(longest, name.length());
    }
    this.lengths = new boolean[longest + 1];
    for (String name : this.names) {
      lengths[name.length()] = true;
    }
  }

  /** Returns what {@code gateway} drops from clients: its identity headers and its stripped client headers. */
  public static IncomingHeaders of(Gateway gateway) {
    Set<String> all = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    all.addAll(gateway.identityHeaders());
    all.addAll(gateway.strippedClientHeaders());
    return new IncomingHeaders(all);
  }

  /** Returns {@code fields} less what the gateway never takes from a client; {@code fields} itself when that is nothing. */
  public HttpFields screen(HttpFields fields) {
    boolean drop = false;
    boolean connection = false;
    for (HttpField field : fields) {
      if (field.getHeader() == HttpHeader.CONNECTION) {
        connection = true;
      } else if (isDropped(field)) {
        drop = true;
      }
    }
    Set<String> nominated = connection ? nominated(fields) : null;
    if (!drop && nominated == null) {
      return fields;
    }
    HttpFields.Mutable kept = HttpFields.build(fields.size());
    for (HttpField field : fields) {
      // With nominees, Connection goes too: its tokens are spent, and none can reach what comes later.
      if (isDropped(field) || nominated != null && (field.getHeader() == HttpHeader.CONNECTION
          || nominated.contains(field.getLowerCaseName()))) {
        continue;
      }
      kept.add(field);
    }
    return kept.asImmutable();
  }

  private boolean isDropped(HttpField field) {
    String name = field.getName();
    int n = name.length();
    if (n >= lengths.length || !lengths[n]) {
      return false;
    }
    for (String dropped : names) {
      if (dropped.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Returns the lower-case names the Connection fields nominate, less {@link #KEPT_TOKENS}; null when none. */
  private static @Nullable Set<String> nominated(HttpFields fields) {
    Set<String> nominated = null;
    for (HttpField field : fields) {
      if (field.getHeader() != HttpHeader.CONNECTION) {
        continue;
      }
      String value = field.getValue();
      int start = 0;
      while (start <= value.length()) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? value.length() : comma;
        int from = start;
        int to = end;
        while (from < to && isSpace(value.charAt(from))) {
          from++;
        }
        while (to > from && isSpace(value.charAt(to - 1))) {
          to--;
        }
        if (to > from && !isKept(value, from, to)) {
          if (nominated == null) {
            nominated = new HashSet<>(4);
          }
          nominated.add(value.substring(from, to).toLowerCase(Locale.ROOT));
        }
        start = end + 1;
      }
    }
    return nominated;
  }

  private static boolean isKept(String value, int from, int to) {
    for (String token : KEPT_TOKENS) {
      if (token.length() == to - from && value.regionMatches(true, from, token, 0, token.length())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
