package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.LoadBalancer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link LoadBalancer} contract as JUnit 5 tests, for a balancer of your own: extend this class
 * and return it from {@link #loadBalancer()}.
 *
 * <pre>{@code
 * class ZoneAwareBalancerContractTest extends LoadBalancerContract {
 *   @Override
 *   protected LoadBalancer loadBalancer() {
 *     return new ZoneAwareBalancer("eu-west-1a");
 *   }
 * }
 * }</pre>
 *
 * <p>What is checked: {@link LoadBalancer#newSelector()} returns a selector each time;
 * a selector always returns one of the candidates it is given (never null, never an endpoint it
 * saw in an earlier call), whatever the request and however the list shrinks between calls; a
 * single candidate is picked; and eight threads calling one selector at once always get one of the
 * candidates (the engine calls a group's selector from many threads). Requests carry an
 * {@code X-Key} header that changes from call to call, for balancers that hash a header.
 */
public abstract class LoadBalancerContract {

  /** For subclasses. */
  protected LoadBalancerContract() {}

  /** Returns the load balancer under test. */
  protected abstract LoadBalancer loadBalancer() throws Exception;

  private record Fake(Endpoint endpoint, int inFlight) implements LoadBalancer.Candidate {}

  private static List<LoadBalancer.Candidate> candidates(int... weights) {
    List<LoadBalancer.Candidate> list = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      list.add(new Fake(Endpoint.of("http://e" + i + ":80", weights[i]), i % 2));
    }
    return List.copyOf(list);
  }

  /** Each call of {@code newSelector()} returns a selector (a stateless one may be shared). */
  @Test
  public void makesASelectorForEachGroup() throws Exception {
    LoadBalancer balancer = loadBalancer();

    assertThat(balancer.newSelector()).isNotNull();
    assertThat(balancer.newSelector()).isNotNull();
  }

  /** Whatever the request and the list, the pick is one of the candidates given. */
  @Test
  public void alwaysReturnsOneOfTheCandidates() throws Exception {
    LoadBalancer.Selector selector = loadBalancer().newSelector();
    List<LoadBalancer.Candidate> three = candidates(1, 2, 3);
    for (int i = 0; i < 500; i++) {
      List<LoadBalancer.Candidate> some = i % 3 == 0 ? three.subList(1, 3) : i % 5 == 0 ? three.subList(0, 1) : three;
      assertThat(some).contains(selector.select(some, TestExchange.get("/", "X-Key", "k" + i).from("10.0.0." + i % 250)));
    }
  }

  /** One candidate is the pick. */
  @Test
  public void aSingleCandidateIsPicked() throws Exception {
    List<LoadBalancer.Candidate> one = candidates(7);
    assertThat(loadBalancer().newSelector().select(one, TestExchange.get("/"))).isSameAs(one.get(0));
  }

  /** Eight threads at once on one selector always get one of the candidates. */
  @Test
  public void isSafeUnderConcurrentCalls() throws Exception {
    LoadBalancer.Selector selector = loadBalancer().newSelector();
    List<LoadBalancer.Candidate> four = candidates(1, 1, 2, 4);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          start.await();
          int ok = 0;
          for (int i = 0; i < 2_000; i++) {
            if (four.contains(selector.select(four, TestExchange.get("/", "X-Key", thread + ":" + i)))) {
              ok++;
            }
          }
          return ok;
        }));
      }
      start.countDown();
      for (Future<Integer> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(2_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
