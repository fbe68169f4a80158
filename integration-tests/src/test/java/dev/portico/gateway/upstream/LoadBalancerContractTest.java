package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.test.LoadBalancerContract;
import dev.portico.gateway.test.TestExchange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every built-in {@link LoadBalancer} promises, checked on fake candidates: the published
 * {@link LoadBalancerContract} for each, then how each spreads load.
 */
class LoadBalancerContractTest {

  @Nested
  class RoundRobin extends LoadBalancerContract {
    @Override
    protected LoadBalancer loadBalancer() {
      return LoadBalancing.roundRobin();
    }
  }

  @Nested
  class Random extends LoadBalancerContract {
    @Override
    protected LoadBalancer loadBalancer() {
      return LoadBalancing.random();
    }
  }

  @Nested
  class LeastRequests extends LoadBalancerContract {
    @Override
    protected LoadBalancer loadBalancer() {
      return LoadBalancing.leastRequests();
    }
  }

  @Nested
  class PowerOfTwoChoices extends LoadBalancerContract {
    @Override
    protected LoadBalancer loadBalancer() {
      return LoadBalancing.powerOfTwoChoices();
    }
  }

  @Nested
  class ConsistentHash extends LoadBalancerContract {
    @Override
    protected LoadBalancer loadBalancer() {
      return LoadBalancing.consistentHash(HashKey.header("X-Key"));
    }
  }

  record Fake(Endpoint endpoint, int inFlight) implements LoadBalancer.Candidate {}

  static Stream<LoadBalancer> balancers() {
    return Stream.of(LoadBalancing.roundRobin(), LoadBalancing.random(), LOAD_AWARE.get(0), LOAD_AWARE.get(1),
        LoadBalancing.consistentHash(HashKey.header("X-Key")));
  }

  /** The balancers that look at requests in flight. */
  private static final List<LoadBalancer> LOAD_AWARE =
      List.of(LoadBalancing.leastRequests(), LoadBalancing.powerOfTwoChoices());

  private static List<LoadBalancer.Candidate> candidates(int... weights) {
    List<LoadBalancer.Candidate> list = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      list.add(new Fake(Endpoint.of("http://e" + i + ":80", weights[i]), 0));
    }
    return List.copyOf(list);
  }

  @ParameterizedTest
  @MethodSource("balancers")
  void busyEndpointsAreAvoidedByTheLoadAwareOnes(LoadBalancer balancer) {
    List<LoadBalancer.Candidate> busyAndIdle = List.of(new Fake(Endpoint.of("http://busy:80", 3), 5),
        new Fake(Endpoint.of("http://idle:80", 1), 0));
    LoadBalancer.Selector selector = balancer.newSelector();
    int idle = 0;
    for (int i = 0; i < 100; i++) {
      if (selector.select(busyAndIdle, TestExchange.get("/", "X-Key", "k" + i)) == busyAndIdle.get(1)) {
        idle++;
      }
    }
    if (LOAD_AWARE.contains(balancer)) {
      assertThat(idle).isEqualTo(100);
    } else {
      assertThat(idle).isBetween(1, 99);   // by weight or key: some of each
    }
  }

  @ParameterizedTest
  @MethodSource("balancers")
  void idleEndpointsGetTrafficInProportionToWeightWithinTenPercentPoints(LoadBalancer balancer) {
    LoadBalancer.Selector selector = balancer.newSelector();
    List<LoadBalancer.Candidate> weighted = candidates(1, 3);
    Map<LoadBalancer.Candidate, Integer> counts = new HashMap<>();
    int n = 4_000;
    for (int i = 0; i < n; i++) {
      counts.merge(selector.select(weighted, TestExchange.get("/", "X-Key", "key-" + i)), 1, Integer::sum);
    }
    // Expected 3/4 for the weight-3 endpoint (binomial sd under 1 point; a hash ring of 100 points per
    // weight is within a few points).
    assertThat(counts.getOrDefault(weighted.get(1), 0) / (double) n).isBetween(0.65, 0.85);
  }
}
