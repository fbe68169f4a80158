package dev.portico.gateway.internal.upstream;

import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.HealthCheck;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's active health check: every interval, one {@code GET} per endpoint, sent with the Jetty
 * client and judged in its completion listener, so no thread waits. An endpoint still being probed
 * is skipped until its probe ends. Not public API.
 */
final class HealthProber {
  private static final Logger LOG = LoggerFactory.getLogger(HealthProber.class);

  private final LiveGroup group;
  private final HealthCheck check;
  private final HttpClient client;
  private final ScheduledExecutorService scheduler;
  private volatile @Nullable ScheduledFuture<?> task;
  private volatile boolean stopped;

  HealthProber(LiveGroup group, HealthCheck check, HttpClient client, ScheduledExecutorService scheduler) {
    this.group = group;
    this.check = check;
    this.client = client;
    this.scheduler = scheduler;
  }

  void start() {
    long interval = check.interval().toMillis();
    // The first round runs at once: readiness waits for it, and an endpoint down at start is found now.
    task = scheduler.scheduleWithFixedDelay(this::probeAll, 0, interval, TimeUnit.MILLISECONDS);
  }

  void stop() {
    stopped = true;
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
    }
  }

  private void probeAll() {
    try {
      for (EndpointState endpoint : group.endpoints()) {
        if (!endpoint.probing) {
          probe(endpoint);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("upstream group '{}': health check round failed: {}", group.name(), e.toString());
    }
  }

  private void probe(EndpointState state) {
    if (stopped) {
      return;
    }
    state.probing = true;
    Endpoint e = state.endpoint();
    Request request = client.newRequest(e.host(), e.port())
        .scheme(e.scheme())
        .method(HttpMethod.GET)
        .path(e.basePath() + check.path())
        .version(group.settings().protocol() == UpstreamProtocol.HTTP_2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1)
        .timeout(check.timeout().toMillis(), TimeUnit.MILLISECONDS);
    request.send(result -> {
      boolean passed = !result.isFailed() && check.expects(result.getResponse().getStatus());
      try {
        judge(state, passed, result.isFailed() ? String.valueOf(result.getFailure())
            : "status " + result.getResponse().getStatus());
      } finally {
        state.probedOnce = true;
        state.probing = false;
      }
    });
  }

  private void judge(EndpointState state, boolean passed, String what) {
    if (passed) {
      state.probeFailures = 0;
      state.probePasses++;
      if (!state.healthy && state.probePasses >= check.healthyThreshold()) {
        state.healthy = true;
        group.healthChanged(state, true);
        LOG.info("upstream group '{}': endpoint {} is healthy again", group.name(), state.endpoint().address());
      }
    } else {
      state.probePasses = 0;
      state.probeFailures++;
      if (state.healthy && state.probeFailures >= check.unhealthyThreshold()) {
        state.healthy = false;
        group.healthChanged(state, false);
        LOG.warn("upstream group '{}': endpoint {} failed {} health checks in a row ({}): out of rotation",
            group.name(), state.endpoint().address(), state.probeFailures, what);
      }
    }
  }
}
