package dev.portico.gateway.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.test.TestExchange;
import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.OutlierDetection;
import dev.portico.gateway.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Ejection timing and state survival, on a clock the test moves. */
class LiveGroupTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(1_000 * SECOND);

  private LiveGroup group(OutlierDetection outliers, String... uris) {
    UpstreamGroup.Builder b = UpstreamGroup.builder("svc").outlierDetection(outliers);
    for (String uri : uris) {
      b.endpoint(uri);
    }
    return new LiveGroup(b.build(), CircuitGuard.none(), now::get);
  }

  private static OutlierDetection ejectAfter(int failures) {
    return OutlierDetection.builder().consecutiveFailures(failures).maxEjectedPercent(100)
        .baseEjectionTime(Duration.ofSeconds(10)).maxEjectionTime(Duration.ofSeconds(25)).build();
  }

  private static void fail(LiveGroup group, EndpointState e, int times) {
    for (int i = 0; i < times; i++) {
      group.record(e, true);
    }
  }

  @Test
  void ejectionGrowsWithEachRepeatUpToTheMaximum() {
    LiveGroup group = group(ejectAfter(3), "http://a:1", "http://b:1");
    EndpointState a = group.endpoints().get(0);

    fail(group, a, 3);
    assertThat(group.ejected(a)).isTrue();
    now.addAndGet(10 * SECOND);
    assertThat(group.ejected(a)).as("back after the base time").isFalse();

    fail(group, a, 3);
    now.addAndGet(19 * SECOND);
    assertThat(group.ejected(a)).as("second ejection: twice the base").isTrue();
    now.addAndGet(SECOND);
    assertThat(group.ejected(a)).isFalse();

    fail(group, a, 3);
    now.addAndGet(24 * SECOND);
    assertThat(group.ejected(a)).as("third: capped at the maximum, 25 s").isTrue();
    now.addAndGet(SECOND);
    assertThat(group.ejected(a)).isFalse();
  }

  @Test
  void aQuietSpellAsLongAsTheMaximumResetsTheGrowth() {
    LiveGroup group = group(ejectAfter(1), "http://a:1", "http://b:1");
    EndpointState a = group.endpoints().get(0);
    fail(group, a, 1);
    now.addAndGet(10 * SECOND);
    fail(group, a, 1);
    now.addAndGet(20 * SECOND);

    now.addAndGet(26 * SECOND);   // no trouble for longer than the maximum ejection
    fail(group, a, 1);
    now.addAndGet(10 * SECOND);

    assertThat(group.ejected(a)).as("base time again").isFalse();
  }

  @Test
  void aSuccessResetsTheConsecutiveCount() {
    LiveGroup group = group(ejectAfter(3), "http://a:1", "http://b:1");
    EndpointState a = group.endpoints().get(0);

    fail(group, a, 2);
    group.record(a, false);
    fail(group, a, 2);

    assertThat(group.ejected(a)).isFalse();
  }

  @Test
  void neverEjectsMoreThanTheShare() {
    LiveGroup group = group(OutlierDetection.builder().consecutiveFailures(1).maxEjectedPercent(50).build(),
        "http://a:1", "http://b:1", "http://c:1", "http://d:1", "http://e:1");
    for (EndpointState e : group.endpoints()) {
      fail(group, e, 1);
    }

    assertThat(group.endpoints().stream().filter(group::ejected).count()).isEqualTo(2);   // 50 % of 5, rounded down
  }

  @Test
  void stateSurvivesAnUpdateThatKeepsTheAddressAndChangesTheWeight() {
    LiveGroup group = group(ejectAfter(1), "http://a:1", "http://b:1");
    EndpointState a = group.endpoints().get(0);
    a.acquired();
    fail(group, a, 1);

    group.update(List.of(Endpoint.of("http://a:1", 5), Endpoint.of("http://c:1")));

    EndpointState after = group.endpoints().get(0);
    assertThat(after).isSameAs(a);
    assertThat(after.endpoint().weight()).isEqualTo(5);
    assertThat(after.inFlight()).isEqualTo(1);
    assertThat(group.ejected(after)).isTrue();
    assertThat(group.select(TestExchange.get("/"), List.of()).endpoint().address()).isEqualTo("http://c:1");
  }

  @Test
  void prefersAnEndpointNotTriedYetAndFallsBackToTriedOnes() {
    LiveGroup group = group(OutlierDetection.disabled(), "http://a:1", "http://b:1");
    EndpointState a = group.endpoints().get(0);
    EndpointState b = group.endpoints().get(1);

    for (int i = 0; i < 10; i++) {
      assertThat(group.select(TestExchange.get("/"), List.of(a))).isSameAs(b);
    }
    assertThat(group.select(TestExchange.get("/"), List.of(a, b))).isIn(a, b);
  }
}
