package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), or one
 * address ({@code 127.0.0.1}). Used to say which peers are trusted proxies.
 */
public final class IpRange {
  private final String text;
  private final byte[] network;
  private final int prefixLength;

  private IpRange(String text, byte[] network, int prefixLength) {
    this.text = text;
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses {@code cidr}: an IPv4 or IPv6 literal, optionally followed by {@code /prefix}. Host
   * names are refused (no DNS lookup ever happens here), and so are IPv4 parts with a leading zero
   * ({@code 010.0.0.1}), which some parsers read as octal. An IPv4-mapped IPv6 block
   * ({@code ::ffff:10.0.0.0/104}) is the IPv4 block it maps ({@code 10.0.0.0/8}).
   *
   * @throws IllegalArgumentException if {@code cidr} is not a valid address block
   */
  public static IpRange parse(String cidr) {
    requireNonNull(cidr, "cidr");
    int slash = cidr.indexOf('/');
    String address = slash < 0 ? cidr : cidr.substring(0, slash);
    byte[] bytes = parseLiteral(address)
        .orElseThrow(() -> new IllegalArgumentException("cidr: '" + cidr + "' (expected: an IP literal with optional /prefix)"));
    // An IPv4-mapped IPv6 literal (::ffff:10.0.0.0) parses to its IPv4 address; its prefix counts
    // IPv6 bits, of which the first 96 are the mapping.
    boolean mapped = bytes.length == 4 && address.indexOf(':') >= 0;
    int max = mapped ? 128 : bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      String digits = cidr.substring(slash + 1);
      prefix = digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
          ? -1 : Integer.parseInt(digits);
      if (prefix < (mapped ? 96 : 0) || prefix > max) {
        throw new IllegalArgumentException("cidr: '" + cidr + "' (expected: prefix " + (mapped ? 96 : 0) + "-" + max + ")");
      }
    }
    if (mapped) {
      prefix -= 96;
    }
    byte[] network = mask(bytes, prefix);
    return new IpRange(cidr, network, prefix);
  }

  /** Returns whether {@code address} lies in this block; IPv4-mapped IPv6 counts as IPv4. */
  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 16 && network.length == 4 && isV4Mapped(bytes)) {
      bytes = java.util.Arrays.copyOfRange(bytes, 12, 16);
    }
    if (bytes.length != network.length) {
      return false;
    }
    return java.util.Arrays.equals(mask(bytes, prefixLength), network);
  }

  /** Returns whether {@code address}, an IP literal, lies in this block; false for anything else. */
  public boolean contains(String address) {
    return parseLiteral(address).map(bytes -> {
      try {
        return contains(InetAddress.getByAddress(bytes));
      } catch (UnknownHostException e) {
        return false;
      }
    }).orElse(false);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof IpRange other && prefixLength == other.prefixLength
        && java.util.Arrays.equals(network, other.network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefixLength;
  }

  @Override
  public String toString() {
    return text;
  }

  /** Parses an IPv4 or IPv6 literal without DNS; IPv6 may be in brackets. */
  static java.util.Optional<byte[]> parseLiteral(String address) {
    String a = address;
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    if (a.isEmpty() || a.length() > 45) {
      return java.util.Optional.empty();
    }
    boolean colon = a.indexOf(':') >= 0;
    for (int i = 0; i < a.length(); i++) {
      char c = a.charAt(i);
      boolean ok = c >= '0' && c <= '9' || c == '.' || colon && (c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
      if (!ok) {
        return java.util.Optional.empty();
      }
    }
    if (!colon && !isDottedQuad(a)) {
      return java.util.Optional.empty();
    }
    if (colon && Character.digit(a.charAt(0), 16) < 0 && a.charAt(0) != ':') {
      // InetAddress would take this for a host name and ask the resolver.
      return java.util.Optional.empty();
    }
    try {
      // A literal of only these characters never triggers a DNS lookup.
      return java.util.Optional.of(InetAddress.getByName(a).getAddress());
    } catch (UnknownHostException e) {
      return java.util.Optional.empty();
    }
  }

  private static boolean isDottedQuad(String a) {
    String[] parts = a.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      // A leading zero is refused: other parsers read 010 as octal 8.
      if (p.isEmpty() || p.length() > 3 || p.length() > 1 && p.charAt(0) == '0' || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - bits)));
    }
    return out;
  }
}
