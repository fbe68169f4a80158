package dev.portico.gateway.internal;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.internal.proxy.ProxyRoute;
import dev.portico.gateway.upstream.HashKey;
import dev.portico.gateway.upstream.TrafficSplit;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@link TrafficSplit}, compiled: picks the side (an upstream group's {@link ProxyRoute})
 * of each request at the proxy step. Rules first, in order; then the sticky key's side by weighted
 * rendezvous hashing (each side scores {@code -ln(u) / weight}, {@code u} a stable 64-bit hash of
 * key and side name mapped into (0, 1); the lowest score wins), which keeps a key's side across
 * restarts and moves only the keys a weight change must move; else a weighted random draw.
 * Not public API.
 */
final class SplitChooser {
  private final TrafficSplit split;
  private final String[] sides;
  private final ProxyRoute[] upstreams;
  private final int[] weights;
  private final long total;
  private final TrafficSplit.Rule[] rules;
  private final int[] ruleSides;
  private final @Nullable HashKey sticky;

  /** {@code upstreams} holds each side's upstream, in the split's order of sides. */
  SplitChooser(TrafficSplit split, List<ProxyRoute> upstreams) {
    this.split = split;
    this.sides = split.sides().toArray(String[]::new);
    this.upstreams = upstreams.toArray(ProxyRoute[]::new);
    this.weights = new int[sides.length];
    long sum = 0;
    for (int i = 0; i < sides.length; i++) {
      weights[i] = split.weights().get(sides[i]);
      sum += weights[i];
    }
    this.total = sum;
    this.rules = split.rules().toArray(TrafficSplit.Rule[]::new);
    this.ruleSides = new int[rules.length];
    List<String> names = List.of(sides);
    for (int i = 0; i < rules.length; i++) {
      ruleSides[i] = names.indexOf(rules[i].side());
    }
    this.sticky = split.stickyKey().orElse(null);
  }

  /** Returns each side's upstream, in the split's order. */
  List<ProxyRoute> upstreams() {
    return List.of(upstreams);
  }

  /** Returns the upstream of the side {@code exchange} goes to. */
  ProxyRoute choose(Exchange exchange) {
    return upstreams[side(exchange)];
  }

  /** Returns the index of the side {@code exchange} goes to. */
  int side(Exchange exchange) {
    HttpHeaders headers = exchange.request().headers();
    int rule = rule(headers);
    if (rule >= 0) {
      return ruleSides[rule];
    }
    if (sticky != null) {
      Optional<String> key = sticky.of(exchange);
      if (key.isPresent()) {
        return rendezvous(key.get());
      }
    }
    return weighted(ThreadLocalRandom.current().nextLong(total));
  }

  /** Returns the index of the first rule {@code headers} match, or -1. */
  private int rule(HttpHeaders headers) {
    for (int i = 0; i < rules.length; i++) {
      TrafficSplit.Rule rule = rules[i];
      boolean match = rule.kind() == TrafficSplit.Kind.HEADER
          ? headers.all(rule.name()).contains(rule.value())
          : cookie(headers, rule.name(), rule.value());
      if (match) {
        return i;
      }
    }
    return -1;
  }

  /** Returns the side whose share of [0, total) holds {@code draw}. */
  private int weighted(long draw) {
    long upTo = 0;
    for (int i = 0; i < weights.length; i++) {
      upTo += weights[i];
      if (draw < upTo) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** Returns the side of {@code key}: weighted rendezvous hashing over the sides with a weight. */
  int rendezvous(String key) {
    int best = -1;
    double bestScore = Double.POSITIVE_INFINITY;
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < sides.length; i++) {
      if (weights[i] == 0) {
        continue;
      }
      long h = hash(keyBytes, sides[i]);
      double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
      double score = -Math.log(u) / weights[i];
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  /** FNV-1a over the key, a separator and the side name, then the SplitMix64 finalizer: the same on every JVM. */
  private static long hash(byte[] key, String side) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ 0xff) * 0x100000001b3L;
    for (byte b : side.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  private static boolean cookie(HttpHeaders headers, String name, String value) {
    for (String line : headers.all("Cookie")) {
      for (String pair : line.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equals(name) && pair.substring(eq + 1).trim().equals(value)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Says, for an explanation, which side a request with {@code headers} would go to and why: a
   * rule's side, or how the side would be drawn (the sticky key needs the request itself).
   */
  String explain(HttpHeaders headers) {
    int i = rule(headers);
    if (i >= 0) {
      TrafficSplit.Rule rule = rules[i];
      return "split: " + rule.side() + " (" + rule.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
          + rule.name() + "=" + rule.value() + ")";
    }
    return "split: " + (sticky != null ? "sticky by key, else " : "") + "by weight " + weightsText();
  }

  /** Returns the side a request with {@code headers} goes to by rule, if a rule decides. */
  Optional<String> ruledSide(HttpHeaders headers) {
    int i = rule(headers);
    return i < 0 ? Optional.empty() : Optional.of(rules[i].side());
  }

  private String weightsText() {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Integer> e : split.weights().entrySet()) {
      out.append(out.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
    }
    return out.toString();
  }
}
