package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Which client addresses may use the gateway or a route: an allow list and a deny list of
 * {@link IpRange}s (CIDR blocks or single addresses, IPv4 or IPv6). The address checked is the
 * one the gateway computes for the client: the peer's, or, from a {@linkplain
 * Gateway#trustedProxies() trusted proxy}, the one its {@code X-Forwarded-For} names; forwarding
 * headers from anyone else are ignored. An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) is
 * the IPv4 address it maps, in both lists.
 *
 * <p>Deny wins: an address in a denied range is refused even if an allowed range holds it. When
 * the allow list is not empty, an address in none of its ranges is refused too; an empty allow
 * list allows every address not denied. A refusal is 403 {@link ProblemType#IP_REFUSED}.
 *
 * <pre>{@code
 * Gateway.builder()
 *     .ipRules(IpRules.deny("203.0.113.0/24"))
 *     .route("admin", r -> r
 *         .path("/admin/**")
 *         .ipRules(ip -> ip.allow("10.0.0.0/8", "fd00::/8").deny("10.66.0.0/16"))
 *         .upstream("http://admin:8080"))
 *     .build();
 * }</pre>
 */
public final class IpRules {
  private static final IpRules NONE = new IpRules(List.of(), List.of());

  private final List<IpRange> allowed;
  private final List<IpRange> denied;

  private IpRules(List<IpRange> allowed, List<IpRange> denied) {
    this.allowed = List.copyOf(allowed);
    this.denied = List.copyOf(denied);
  }

  /** Returns the rules that refuse nobody. */
  public static IpRules none() {
    return NONE;
  }

  /**
   * Returns rules that allow only addresses in {@code cidrs}.
   *
   * @throws IllegalArgumentException if a block is not valid CIDR or none is given
   */
  public static IpRules allow(String... cidrs) {
    return builder().allow(cidrs).build();
  }

  /**
   * Returns rules that refuse addresses in {@code cidrs} and allow every other.
   *
   * @throws IllegalArgumentException if a block is not valid CIDR or none is given
   */
  public static IpRules deny(String... cidrs) {
    return builder().deny(cidrs).build();
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the allowed ranges; empty when every address not denied is allowed. */
  public List<IpRange> allowed() {
    return allowed;
  }

  /** Returns the denied ranges. */
  public List<IpRange> denied() {
    return denied;
  }

  /** Returns whether these rules refuse nobody. */
  public boolean isEmpty() {
    return allowed.isEmpty() && denied.isEmpty();
  }

  /** Returns whether {@code address} may pass: in no denied range, and in an allowed one if any is set. */
  public boolean permits(InetAddress address) {
    requireNonNull(address, "address");
    for (IpRange range : denied) {
      if (range.contains(address)) {
        return false;
      }
    }
    if (allowed.isEmpty()) {
      return true;
    }
    for (IpRange range : allowed) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns whether {@code address}, an IP literal, may pass; see {@link #permits(InetAddress)}.
   * Something that is not an IP literal passes only rules that refuse nobody.
   */
  public boolean permits(String address) {
    requireNonNull(address, "address");
    return IpRange.parseLiteral(address).map(bytes -> {
      try {
        return permits(InetAddress.getByAddress(bytes));
      } catch (java.net.UnknownHostException e) {
        return isEmpty();
      }
    }).orElse(isEmpty());
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof IpRules other && allowed.equals(other.allowed) && denied.equals(other.denied);
  }

  @Override
  public int hashCode() {
    return allowed.hashCode() * 31 + denied.hashCode();
  }

  @Override
  public String toString() {
    return "IpRules{allow=" + allowed + ", deny=" + denied + "}";
  }

  /**
   * Builds {@link IpRules}; {@link #build()} reports the first block that is not valid CIDR.
   */
  public static final class Builder {
    private final List<String> allowed = new ArrayList<>();
    private final List<String> denied = new ArrayList<>();
    private boolean empty;

    Builder() {}

    /** Allows addresses in {@code cidrs} ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 127.0.0.1}). */
    public Builder allow(String... cidrs) {
      return add(allowed, cidrs);
    }

    /** Refuses addresses in {@code cidrs}, even where an allowed range holds them. */
    public Builder deny(String... cidrs) {
      return add(denied, cidrs);
    }

    private Builder add(List<String> list, String... cidrs) {
      requireNonNull(cidrs, "cidrs");
      if (cidrs.length == 0) {
        empty = true;
      }
      for (String cidr : cidrs) {
        list.add(requireNonNull(cidr, "cidr"));
      }
      return this;
    }

    /**
     * Returns the immutable rules.
     *
     * @throws IllegalArgumentException if a block is not valid CIDR, or {@code allow()} or
     *     {@code deny()} was given no block
     */
    public IpRules build() {
      if (empty) {
        throw new IllegalArgumentException("allow/deny: no address block given (expected: at least one CIDR)");
      }
      return new IpRules(parse("allow", allowed), parse("deny", denied));
    }

    private static List<IpRange> parse(String field, List<String> cidrs) {
      List<IpRange> ranges = new ArrayList<>(cidrs.size());
      for (String cidr : cidrs) {
        try {
          ranges.add(IpRange.parse(cidr.trim()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
      }
      return ranges;
    }
  }
}
