package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.IpRange;
import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Forwarding headers: {@code X-Forwarded-For/-Proto/-Host/-Port} and RFC 7239 {@code Forwarded}.
 * A peer's own forwarding headers are believed (and appended to) only when the peer is a trusted
 * proxy; from anyone else they are replaced. Not public API.
 */
public final class Forwarding {
  // Jetty's header constants: fields made from them skip the lookup of a name among known headers.
  private static final HttpHeader X_FORWARDED_FOR = HttpHeader.X_FORWARDED_FOR;
  private static final HttpHeader X_FORWARDED_PROTO = HttpHeader.X_FORWARDED_PROTO;
  private static final HttpHeader X_FORWARDED_HOST = HttpHeader.X_FORWARDED_HOST;
  private static final HttpHeader X_FORWARDED_PORT = HttpHeader.X_FORWARDED_PORT;
  private static final HttpHeader FORWARDED = HttpHeader.FORWARDED;

  private final List<IpRange> trustedProxies;
  /** The last local port and its text: a gateway listens on one port or a few. */
  private volatile PortText lastPort = new PortText(-1, "-1");

  private record PortText(int port, String text) {}

  public Forwarding(List<IpRange> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  /** Returns whether forwarding headers from {@code peer} are trusted. */
  public boolean isTrusted(InetSocketAddress peer) {
    if (trustedProxies.isEmpty()) {
      return false;
    }
    InetAddress address = peer.getAddress();
    for (IpRange range : trustedProxies) {
      if (address != null ? range.contains(address) : range.contains(peer.getHostString())) {
        return true;
      }
    }
    return false;
  }

  private boolean isTrusted(String ip) {
    for (IpRange range : trustedProxies) {
      if (range.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the client's IP: the peer's, or, from a trusted peer, the right-most address in
   * {@code X-Forwarded-For} that is not itself a trusted proxy.
   */
  public String clientIp(String peerIp, boolean trusted, HttpFields headers) {
    if (!trusted) {
      return peerIp;
    }
    List<String> values = headers.getValuesList(X_FORWARDED_FOR);
    String leftmost = null;
    for (int v = values.size() - 1; v >= 0; v--) {
      String[] hops = values.get(v).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        String hop = hops[i].trim();
        if (hop.isEmpty()) {
          continue;
        }
        leftmost = hop;
        if (!isTrusted(hop)) {
          return isIpLiteral(hop) ? stripV6Brackets(hop) : peerIp;
        }
      }
    }
    return leftmost != null && isIpLiteral(leftmost) ? stripV6Brackets(leftmost) : peerIp;
  }

  /**
   * Adds the forwarding headers for this hop to {@code out}, which must hold none of them yet (see
   * {@link #isReplacedForwardingHeader}): they are appended, not searched for.
   */
  void apply(HttpFields.Mutable out, HttpFields in, boolean trusted, String peerIp, String proto,
      String host, int localPort) {
    String xff = trusted ? join(in, X_FORWARDED_FOR) : null;
    out.add(X_FORWARDED_FOR, xff == null ? peerIp : xff + ", " + peerIp);
    String xfProto = trusted ? in.get(X_FORWARDED_PROTO) : null;
    out.add(X_FORWARDED_PROTO, xfProto != null ? xfProto : proto);
    String xfHost = trusted ? in.get(X_FORWARDED_HOST) : null;
    if (xfHost != null) {
      out.add(X_FORWARDED_HOST, xfHost);
    } else if (!host.isEmpty()) {
      out.add(X_FORWARDED_HOST, host);
    }
    String xfPort = trusted ? in.get(X_FORWARDED_PORT) : null;
    out.add(X_FORWARDED_PORT, xfPort != null ? xfPort : portText(localPort));

    StringBuilder element = new StringBuilder(64);
    element.append("for=").append(nodeValue(peerIp)).append(";proto=").append(proto);
    if (!host.isEmpty()) {
      element.append(";host=").append(quoteIfNeeded(host));
    }
    String forwarded = trusted ? join(in, FORWARDED) : null;
    out.add(FORWARDED, forwarded == null ? element.toString() : forwarded + ", " + element);
  }

  /**
   * Returns whether {@code field} must not be copied upstream as it is: the five headers this class
   * sets, and, from an untrusted peer, any other {@code X-Forwarded-*} (such as
   * {@code X-Forwarded-Prefix}) and the client-address headers of other proxies and CDNs
   * ({@code X-Real-IP}, {@code True-Client-IP}, ...), which only a trusted proxy may assert.
   */
  static boolean isReplacedForwardingHeader(org.eclipse.jetty.http.HttpField field, boolean trusted) {
    HttpHeader header = field.getHeader();
    if (header == HttpHeader.X_FORWARDED_FOR || header == HttpHeader.X_FORWARDED_PROTO
        || header == HttpHeader.X_FORWARDED_HOST || header == HttpHeader.X_FORWARDED_PORT
        || header == HttpHeader.FORWARDED) {
      return true;
    }
    String name = field.getLowerCaseName();
    if (name.equals("forwarded") || name.equals("x-forwarded-for") || name.equals("x-forwarded-proto")
        || name.equals("x-forwarded-host") || name.equals("x-forwarded-port")) {
      return true;
    }
    return !trusted && (name.startsWith("x-forwarded-") || CLIENT_IP_HEADERS.contains(name));
  }

  /**
   * Headers other proxies and CDNs use to name the client's address; upstreams that trust them
   * would believe whatever a client wrote. Only a trusted proxy may send them on.
   */
  private static final java.util.Set<String> CLIENT_IP_HEADERS = java.util.Set.of(
      "x-real-ip", "true-client-ip", "x-client-ip", "x-cluster-client-ip", "cf-connecting-ip",
      "fastly-client-ip", "x-original-forwarded-for");

  private static @org.jspecify.annotations.Nullable String join(HttpFields in, HttpHeader name) {
    List<String> values = in.getValuesList(name);
    if (values.isEmpty()) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(", ", values);
  }

  private String portText(int port) {
    PortText last = lastPort;
    if (last.port() != port) {
      last = new PortText(port, Integer.toString(port));
      lastPort = last;
    }
    return last.text();
  }

  /** RFC 7239 node: IPv6 in brackets and quoted. */
  private static String nodeValue(String ip) {
    return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
  }

  private static String quoteIfNeeded(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!HttpSyntax.isTchar(c)) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      }
    }
    return value;
  }

  private static String stripV6Brackets(String ip) {
    return ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
  }

  private static boolean isIpLiteral(String s) {
    try {
      IpRange.parse(stripV6Brackets(s));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
