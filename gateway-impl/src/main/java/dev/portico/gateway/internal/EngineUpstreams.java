package dev.portico.gateway.internal;

import dev.portico.gateway.Route;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.internal.proxy.UpstreamClients;
import dev.portico.gateway.internal.upstream.CircuitGuard;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.internal.websocket.WebSocketConnector;
import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.OutlierDetection;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.client.HttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The upstream side of one compiled configuration and its life cycle: the live groups (the named
 * ones, shared by their routes, and one per route with an inline upstream), the health probes'
 * clients, the WebSocket connectors, and which of the runtime's upstream clients they use. A named
 * group whose {@link UpstreamGroup} instance the previous configuration also ran is carried over
 * (health, ejections, in-flight counts, circuit): this configuration then owns it, and the
 * previous one no longer stops it. Not public API.
 */
final class EngineUpstreams {
  private final GatewayRuntime runtime;
  private final List<LiveGroup> groups = new ArrayList<>();
  /** The client the health probes of each group with a health check use. */
  private final Map<LiveGroup, HttpClient> probeClients = new IdentityHashMap<>();
  /** WebSocket connectors, one per group that a websocket() route sends to; websocket-core loads only then. */
  private final Map<LiveGroup, WebSocketConnector> webSocketConnectors = new IdentityHashMap<>();
  private final Set<HttpClient> webSocketClients = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Named groups by name, for the next configuration to carry over. */
  private final Map<String, LiveGroup> namedGroups = new LinkedHashMap<>();
  /** Groups this configuration starts (carried-over ones run already) and stops. */
  private final List<LiveGroup> toStart = new ArrayList<>();
  private boolean started;

  /** Makes (or carries over from {@code previous}) the live state of {@code named} groups. */
  EngineUpstreams(GatewayRuntime runtime, List<UpstreamGroup> named, @Nullable EngineUpstreams previous) {
    this.runtime = runtime;
    for (UpstreamGroup group : named) {
      LiveGroup kept = previous == null ? null : previous.namedGroups.get(group.name());
      namedGroups.put(group.name(), kept != null && kept.settings() == group ? adopt(previous, kept) : liveGroup(group));
    }
  }

  /** Returns the live group {@code route} sends to: a shared group, or its inline upstream as a group of one. */
  LiveGroup groupOf(Route route) {
    return route.upstreamGroup().map(namedGroups::get)
        .orElseGet(() -> liveGroup(inlineGroup(route, route.upstream().orElseThrow())));
  }

  /** Returns the live group the gateway defines as {@code name} (the side of a split). */
  LiveGroup namedGroup(String name) {
    LiveGroup group = namedGroups.get(name);
    if (group == null) {
      throw new IllegalStateException("upstream group '" + name + "' is not defined");
    }
    return group;
  }

  /** Returns the WebSocket connector of {@code group}, over its HTTP/1.1 client (the first websocket() route's connect timeout). */
  WebSocketConnector webSocketConnector(LiveGroup group, Route route) {
    return webSocketConnectors.computeIfAbsent(group, g -> {
      HttpClient http11 = runtime.clients().client(g.settings().toBuilder().protocol(UpstreamProtocol.HTTP_1_1).build(),
          route.timeouts().connect().toMillis());
      webSocketClients.add(http11);
      return new WebSocketConnector(http11);
    });
  }

  /** Returns this configuration's upstream groups (for the admin view and readiness). */
  List<LiveGroup> groups() {
    return groups;
  }

  /** Adds the health probes' and WebSocket connectors' clients to {@code used}. */
  void addClientsInUse(Set<HttpClient> used) {
    used.addAll(probeClients.values());
    used.addAll(webSocketClients);
  }

  /** Starts the groups' endpoint sources and health checks and the WebSocket connectors: this configuration goes live. */
  synchronized void start() throws Exception {
    if (started) {
      return;
    }
    started = true;
    ScheduledExecutorService scheduler = runtime.upstreamScheduler();
    for (LiveGroup group : toStart) {
      group.start(scheduler, probeClients.get(group));
    }
    for (WebSocketConnector connector : webSocketConnectors.values()) {
      connector.start();
    }
  }

  /** Stops health checks, endpoint sources and WebSocket connectors: the configuration was replaced and drained, or the gateway stops. */
  synchronized void stop() {
    started = false;
    for (LiveGroup group : groups) {
      group.stop();
    }
    for (WebSocketConnector connector : webSocketConnectors.values()) {
      try {
        connector.stop();
      } catch (Exception e) {
        LoggerFactory.getLogger(GatewayEngine.class).warn("cannot stop a WebSocket connector: {}", e.toString());
      }
    }
  }

  /**
   * Takes {@code group} over from {@code previous}: it keeps running (it is not started again) and
   * this configuration stops it; the previous one no longer does. Under the runtime's lock.
   */
  private LiveGroup adopt(EngineUpstreams previous, LiveGroup group) {
    synchronized (previous) {
      previous.groups.remove(group);
      previous.toStart.remove(group);
      HttpClient probe = previous.probeClients.get(group);
      if (probe != null) {
        probeClients.put(group, probe);
      }
    }
    groups.add(group);
    return group;
  }

  private LiveGroup liveGroup(UpstreamGroup settings) {
    // Health and circuit changes reach the runtime's observer (metrics gauges, for one).
    CircuitGuard circuit = settings.circuitBreaker()
        .map(cb -> GroupCircuits.create(settings.name(), cb,
            state -> runtime.observer().circuitStateChanged(settings.name(), state)))
        .orElse(CircuitGuard.none());
    LiveGroup group = new LiveGroup(settings, circuit, System::nanoTime,
        (address, healthy) -> runtime.observer().endpointHealthChanged(settings.name(), address, healthy));
    groups.add(group);
    toStart.add(group);
    // Probes connect within the probe timeout; otherwise they share the group's TLS, protocol and pool settings.
    UpstreamClients clients = runtime.clients();
    settings.healthCheck().ifPresent(check -> probeClients.put(group, clients.client(settings, check.timeout().toMillis())));
    return group;
  }

  /**
   * A route's inline {@code upstream(...)} as a group of one: no outlier detection (its only
   * endpoint is never ejected) and the connection pool the engine always gave single upstreams.
   */
  private static UpstreamGroup inlineGroup(Route route, Upstream upstream) {
    UpstreamGroup.Builder b = UpstreamGroup.builder("route:" + route.id())
        .endpoint(Endpoint.of(upstream))
        .outlierDetection(OutlierDetection.disabled())
        .maxConnectionsPerEndpoint(1024);
    upstream.tls().ifPresent(b::tls);
    return b.build();
  }
}
