package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@link LoadBalancer}s. Each honours endpoint weights.
 *
 * <table>
 *   <caption>When to use which</caption>
 *   <tr><th>balancer</th><th>use it when</th></tr>
 *   <tr><td>{@link #roundRobin()}</td><td>the default: requests cost about the same and endpoints
 *       are alike; spreads evenly, in proportion to weight, with no bursts on one endpoint</td></tr>
 *   <tr><td>{@link #random()}</td><td>many gateway instances share the endpoints and you want no
 *       coordination at all</td></tr>
 *   <tr><td>{@link #leastRequests()}</td><td>request costs vary a lot (reports next to lookups):
 *       the endpoint with the fewest requests in flight, per unit of weight, gets the next; idle
 *       endpoints share by weight</td></tr>
 *   <tr><td>{@link #powerOfTwoChoices()}</td><td>like least requests, but cheaper and without
 *       herding when several gateways see the same counts: two random candidates, the less busy
 *       wins</td></tr>
 *   <tr><td>{@link #consistentHash(HashKey)}</td><td>an endpoint caches per client or per key:
 *       the same key goes to the same endpoint, and adding or removing one of N endpoints moves
 *       only about 1/N of the keys</td></tr>
 * </table>
 */
public final class LoadBalancing {
  private LoadBalancing() {}

  /**
   * Smooth weighted round robin (as in nginx): over any window of W requests, where W is the sum
   * of the weights, each endpoint gets exactly its weight's share, interleaved rather than in
   * bursts (weights 5, 1, 1 give {@code a a b a c a a}).
   */
  public static LoadBalancer roundRobin() {
    return SmoothRoundRobin::new;
  }

  /** Picks a random endpoint, with probability in proportion to its weight. */
  public static LoadBalancer random() {
    return () -> (candidates, exchange) -> weightedRandom(candidates, null);
  }

  /**
   * Picks the endpoint with the fewest requests in flight per unit of weight; ties are broken at
   * random in proportion to weight, so idle endpoints share the traffic by weight.
   */
  public static LoadBalancer leastRequests() {
    return () -> (candidates, exchange) -> {
      double bestLoad = Double.MAX_VALUE;
      for (LoadBalancer.Candidate c : candidates) {
        bestLoad = Math.min(bestLoad, load(c));
      }
      List<LoadBalancer.Candidate> least = new ArrayList<>(candidates.size());
      for (LoadBalancer.Candidate c : candidates) {
        if (load(c) == bestLoad) {
          least.add(c);
        }
      }
      return least.size() == 1 ? least.get(0) : weightedRandom(least, null);
    };
  }

  /**
   * Power of two choices: picks two different endpoints at random (in proportion to weight) and
   * takes the one with fewer requests in flight per unit of weight, the first picked on a tie.
   */
  public static LoadBalancer powerOfTwoChoices() {
    return () -> (candidates, exchange) -> {
      if (candidates.size() == 1) {
        return candidates.get(0);
      }
      LoadBalancer.Candidate a = weightedRandom(candidates, null);
      LoadBalancer.Candidate b = weightedRandom(candidates, a);
      return load(b) < load(a) ? b : a;
    };
  }

  /**
   * Consistent hashing on {@code key}: a hash ring with 100 points per unit of weight (weights
   * above 100 count as 100). The same key goes to the same endpoint while it is a candidate; when
   * one of N endpoints is added, removed or taken out of rotation, only the keys on it (about 1/N)
   * move. A request without a key goes to a random endpoint.
   */
  public static LoadBalancer consistentHash(HashKey key) {
    requireNonNull(key, "key");
    return () -> new HashRing(key);
  }

  private static double load(LoadBalancer.Candidate c) {
    return (double) c.inFlight() / c.endpoint().weight();
  }

  private static LoadBalancer.Candidate weightedRandom(List<LoadBalancer.Candidate> candidates,
      LoadBalancer.@Nullable Candidate exclude) {
    long total = 0;
    for (LoadBalancer.Candidate c : candidates) {
      if (c != exclude) {
        total += c.endpoint().weight();
      }
    }
    long r = ThreadLocalRandom.current().nextLong(total);
    for (LoadBalancer.Candidate c : candidates) {
      if (c != exclude) {
        r -= c.endpoint().weight();
        if (r < 0) {
          return c;
        }
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /** nginx's smooth weighted round robin, keyed by address so it survives changes of the candidate set. */
  private static final class SmoothRoundRobin implements LoadBalancer.Selector {
    private final Map<String, long[]> current = new HashMap<>();

    @Override
    public synchronized LoadBalancer.Candidate select(List<LoadBalancer.Candidate> candidates, Exchange exchange) {
      if (current.size() > 4 * candidates.size() + 16) {
        current.clear();   // forget endpoints that left the group
      }
      long total = 0;
      LoadBalancer.Candidate best = null;
      long[] bestWeight = null;
      for (LoadBalancer.Candidate c : candidates) {
        int weight = c.endpoint().weight();
        long[] w = current.computeIfAbsent(c.endpoint().address(), a -> new long[1]);
        w[0] += weight;
        total += weight;
        if (bestWeight == null || w[0] > bestWeight[0]) {
          best = c;
          bestWeight = w;
        }
      }
      bestWeight[0] -= total;
      return best;
    }
  }

  /** A hash ring over the current candidates, rebuilt when they change. */
  private static final class HashRing implements LoadBalancer.Selector {
    private static final int POINTS_PER_WEIGHT = 100;
    private static final int MAX_WEIGHT = 100;

    private record Ring(List<Endpoint> endpoints, long[] points, int[] owners) {}

    private final HashKey key;
    private volatile Ring ring = new Ring(List.of(), new long[0], new int[0]);

    HashRing(HashKey key) {
      this.key = key;
    }

    @Override
    public LoadBalancer.Candidate select(List<LoadBalancer.Candidate> candidates, Exchange exchange) {
      Optional<String> k = key.of(exchange);
      if (k.isEmpty() || candidates.size() == 1) {
        return k.isEmpty() ? weightedRandom(candidates, null) : candidates.get(0);
      }
      Endpoint[] endpoints = new Endpoint[candidates.size()];
      for (int i = 0; i < endpoints.length; i++) {
        endpoints[i] = candidates.get(i).endpoint();
      }
      List<Endpoint> set = Arrays.asList(endpoints);
      Ring r = ring;
      if (!r.endpoints().equals(set)) {
        r = build(List.copyOf(set));
        ring = r;
      }
      long h = hash(k.get());
      int i = Arrays.binarySearch(r.points(), h);
      if (i < 0) {
        i = -i - 1;
      }
      if (i == r.points().length) {
        i = 0;
      }
      return candidates.get(r.owners()[i]);
    }

    private static Ring build(List<Endpoint> endpoints) {
      int total = 0;
      for (Endpoint e : endpoints) {
        total += Math.min(e.weight(), MAX_WEIGHT) * POINTS_PER_WEIGHT;
      }
      long[][] pairs = new long[total][];
      int p = 0;
      for (int owner = 0; owner < endpoints.size(); owner++) {
        Endpoint e = endpoints.get(owner);
        int points = Math.min(e.weight(), MAX_WEIGHT) * POINTS_PER_WEIGHT;
        for (int i = 0; i < points; i++) {
          pairs[p++] = new long[] {hash(e.address() + "#" + i), owner};
        }
      }
      Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
      long[] sorted = new long[total];
      int[] owners = new int[total];
      for (int i = 0; i < total; i++) {
        sorted[i] = pairs[i][0];
        owners[i] = (int) pairs[i][1];
      }
      return new Ring(endpoints, sorted, owners);
    }

    /** FNV-1a over the UTF-8 bytes, then MurmurHash3's 64-bit finalizer to spread the bits. */
    static long hash(String s) {
      long h = 0xcbf29ce484222325L;
      for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
        h ^= b & 0xff;
        h *= 0x100000001b3L;
      }
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      return h;
    }
  }
}
