package dev.portico.gateway.admin;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.IpRange;
import dev.portico.gateway.IpRules;
import dev.portico.gateway.Route;
import dev.portico.gateway.cache.CachePolicy;
import dev.portico.gateway.cache.CacheStatus;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.routing.FieldCondition;
import dev.portico.gateway.routing.HostPattern;
import dev.portico.gateway.upstream.EndpointStatus;
import dev.portico.gateway.upstream.UpstreamGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What the admin view shows of a {@link RunningGateway}, as maps and lists ready for a JSON
 * writer: {@link AdminHandler} serves them on a Jetty connector, the Spring Boot actuator endpoint
 * {@code portico} serves the same documents. Each call reads the gateway's current definition and
 * live state; nothing is cached.
 *
 * <pre>{@code
 * AdminView view = AdminView.of(runningGateway);
 * view.routes();                                  // [{id=orders, path=/api/orders/**, ...}]
 * view.explain("GET", "/api/orders/42", null);    // {verdict=ROUTED, route=orders, ...}
 * }</pre>
 *
 * <p>The documents show the topology (routes, upstream addresses, limiter names), never headers,
 * credentials, keys or secrets. Thread-safe.
 */
public final class AdminView {
  private final RunningGateway gateway;

  private AdminView(RunningGateway gateway) {
    this.gateway = gateway;
  }

  /** Returns the view of {@code gateway}. */
  public static AdminView of(RunningGateway gateway) {
    return new AdminView(requireNonNull(gateway, "gateway"));
  }

  /**
   * Returns every route, in order: {@code id}, {@code path}, {@code methods}, {@code hosts},
   * {@code headers} and {@code queryParams} conditions, {@code upstream}, {@code rewrite},
   * {@code timeouts}, whether it is {@code authenticated}, and the {@code policies} it runs; with
   * client address rules, {@code ipRules}: the {@code gateway}'s and the {@code route}'s own, each
   * with its {@code allow} and {@code deny} blocks; with a traffic split, {@code split}: its
   * {@code weights} by upstream group, its {@code rules} ({@code header X-Canary=on -> v2}) and
   * whether it is {@code sticky}; with a response cache, {@code cache}: its policy and live
   * {@code entries}, {@code bytes}, {@code hits}, {@code misses} and {@code evictions}; with a mirror,
   * {@code mirror}: its {@code target}, {@code percent}, {@code maxBodySize}, {@code queue} and
   * {@code timeoutMs}; with route
   * defaults, the {@code inheritedPolicies}, and with method blocks, {@code methodPolicies}: what each
   * block {@code sets} and whether that method is {@code authenticated}.
   */
  public List<Map<String, Object>> routes() {
    Gateway definition = gateway.gateway();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Route route : definition.routes()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", route.id());
      r.put("path", route.path().pattern());
      r.put("methods", new TreeSet<>(route.methods()));
      r.put("hosts", route.hosts().stream().map(HostPattern::pattern).toList());
      r.put("headers", route.headers().stream().map(AdminView::condition).toList());
      r.put("queryParams", route.queryParams().stream().map(AdminView::condition).toList());
      r.put("upstream", route.upstream().map(Upstream::toString)
          .orElseGet(() -> "group:" + route.upstreamGroup().orElse("?")));
      r.put("rewrite", route.rewrite().toString());
      Map<String, Object> timeouts = new LinkedHashMap<>();
      timeouts.put("connectMs", route.timeouts().connect().toMillis());
      timeouts.put("responseMs", route.timeouts().response().toMillis());
      timeouts.put("idleMs", route.timeouts().idle().toMillis());
      timeouts.put("requestBodyMs", route.timeouts().requestBody().toMillis());
      r.put("timeouts", timeouts);
      r.put("authenticated", definition.authenticatorFor(route).isPresent());
      r.put("policies", gateway.policies(route.id()));
      route.split().ifPresent(split -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weights", split.weights());
        m.put("rules", split.rules().stream().map(Object::toString).toList());
        m.put("sticky", split.stickyKey().isPresent());
        r.put("split", m);
      });
      route.mirror().ifPresent(mirror -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", mirror.target().toString());
        m.put("percent", mirror.percent());
        m.put("maxBodySize", mirror.maxBodySize());
        m.put("queue", mirror.queue());
        m.put("timeoutMs", mirror.timeout().toMillis());
        r.put("mirror", m);
      });
      if (!definition.ipRules().isEmpty() || !route.ipRules().isEmpty()) {
        Map<String, Object> ip = new LinkedHashMap<>();
        if (!definition.ipRules().isEmpty()) {
          ip.put("gateway", ipRules(definition.ipRules()));
        }
        if (!route.ipRules().isEmpty()) {
          ip.put("route", ipRules(route.ipRules()));
        }
        r.put("ipRules", ip);
      }
      route.cache().ifPresent(policy -> r.put("cache", cache(policy, gateway.cacheStatus().stream()
          .filter(c -> c.route().equals(route.id())).findFirst().orElse(null))));
      if (!route.inheritedPolicies().isEmpty()) {
        r.put("inheritedPolicies", route.inheritedPolicies());
      }
      if (!route.methodPolicies().isEmpty()) {
        Map<String, Object> byMethod = new LinkedHashMap<>();
        route.methodPolicies().forEach((method, policies) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("sets", policies.declared());
          m.put("authenticated", definition.authenticatorFor(route.forMethod(method)).isPresent());
          byMethod.put(method, m);
        });
        r.put("methodPolicies", byMethod);
      }
      out.add(r);
    }
    return out;
  }

  private static Map<String, Object> ipRules(IpRules rules) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("allow", rules.allowed().stream().map(IpRange::toString).toList());
    m.put("deny", rules.denied().stream().map(IpRange::toString).toList());
    return m;
  }

  /** A route's cache policy and, when the gateway runs, its live counters. */
  private static Map<String, Object> cache(CachePolicy policy, @Nullable CacheStatus status) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("maxBytes", policy.maxBytes());
    c.put("maxEntryBytes", policy.maxEntryBytes());
    c.put("keyByIdentity", policy.keyByIdentity());
    c.put("cacheSetCookie", policy.cacheSetCookie());
    c.put("collapseWaitMs", policy.collapseWait().toMillis());
    if (status != null) {
      c.put("entries", status.entries());
      c.put("bytes", status.bytes());
      c.put("hits", status.hits());
      c.put("misses", status.misses());
      c.put("evictions", status.evictions());
    }
    return c;
  }

  private static String condition(FieldCondition condition) {
    return condition.value().map(v -> condition.name() + "=" + v).orElse(condition.name());
  }

  /**
   * Returns one entry per upstream: each named group with its endpoints, and each route's inline
   * upstream, with the live state the running gateway reports ({@code healthy}, {@code ejected},
   * {@code circuit}; {@code null} where the engine does not track it) and the routes that use it.
   */
  public List<Map<String, Object>> upstreams() {
    Gateway definition = gateway.gateway();
    List<EndpointStatus> status = gateway.upstreamStatus();
    Map<String, EndpointStatus> live = new LinkedHashMap<>();
    for (EndpointStatus s : status) {
      live.put(s.group() + " " + s.endpoint(), s);
    }
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    for (UpstreamGroup group : definition.upstreamGroups()) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("group", group.name());
      String[] circuit = {group.circuitBreaker().isPresent() ? null : "none"};
      g.put("endpoints", group.endpoints().stream().map(e -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uri", e.uri().toString());
        m.put("weight", e.weight());
        EndpointStatus s = live.get(group.name() + " " + e.address());
        m.put("healthy", s == null ? null : s.healthy());
        m.put("ejected", s == null ? null : s.ejected());
        if (s != null) {
          circuit[0] = s.circuit();
        }
        return m;
      }).toList());
      g.put("tls", group.tls().isPresent());
      g.put("healthCheck", group.healthCheck().isPresent());
      g.put("circuit", circuit[0]);
      g.put("routes", new ArrayList<String>());
      byName.put("group:" + group.name(), g);
    }
    for (Route route : definition.routes()) {
      String key = route.upstreamGroup().map(name -> "group:" + name)
          .orElseGet(() -> route.upstream().map(Upstream::toString).orElse("?"));
      Map<String, Object> u = byName.computeIfAbsent(key, uri -> {
        Upstream upstream = route.upstream().orElseThrow();
        EndpointStatus s = status.stream()
            .filter(e -> e.group().equals("route:" + route.id())).findFirst().orElse(null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uri", uri);
        m.put("endpoint", upstream.host() + ":" + upstream.port());
        m.put("tls", upstream.tls().isPresent());
        m.put("healthy", s == null ? null : s.healthy());
        m.put("circuit", s == null ? null : s.circuit());
        m.put("routes", new ArrayList<String>());
        return m;
      });
      @SuppressWarnings("unchecked")
      List<String> routes = (List<String>) u.get("routes");
      routes.add(route.id());
    }
    return new ArrayList<>(byName.values());
  }

  /**
   * Returns the rate limiters: {@code gateway}, the gateway-wide ones, and {@code routes}, each
   * route's by route id; each with its {@code name}, {@code store} ({@code memory}, {@code redis}
   * or {@code custom}) and, in memory, the number of {@code keys} tracked.
   */
  public Map<String, Object> limiters() {
    Gateway definition = gateway.gateway();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("gateway", definition.rateLimiters().stream().map(AdminView::limiter).toList());
    Map<String, Object> byRoute = new LinkedHashMap<>();
    for (Route route : definition.routes()) {
      if (!route.rateLimiters().isEmpty()) {
        byRoute.put(route.id(), route.rateLimiters().stream().map(AdminView::limiter).toList());
      }
      // A method whose block sets its own limiters: under "id METHOD".
      route.methodPolicies().forEach((method, policies) -> {
        if (policies.declared().contains("rateLimiter") && !route.forMethod(method).rateLimiters().isEmpty()) {
          byRoute.put(route.id() + " " + method,
              route.forMethod(method).rateLimiters().stream().map(AdminView::limiter).toList());
        }
      });
    }
    out.put("routes", byRoute);
    return out;
  }

  private static Map<String, Object> limiter(RateLimiter limiter) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("name", limiter.name());
    if (limiter instanceof Bucket4jRateLimiter memory) {
      l.put("store", "memory");
      l.put("keys", memory.size());
    } else if (limiter.getClass().getName().equals("dev.portico.gateway.ratelimit.redis.RedisRateLimiter")) {
      // By name: referring to the class would load Lettuce, an optional dependency.
      l.put("store", "redis");
    } else {
      l.put("store", "custom");
    }
    return l;
  }

  /**
   * Returns what the gateway would do with a request ({@link RunningGateway#explain}):
   * {@code verdict}, {@code method}, normalized {@code path}, {@code refusal}, {@code route},
   * {@code pathVariables}, {@code upstreamUri}, {@code policies} and {@code allowedMethods}.
   *
   * @param host the {@code Host} header to explain the request with, or null for none
   * @throws IllegalArgumentException when the request cannot be explained (a control character in
   *     {@code host}, an unusable absolute URI)
   */
  public Map<String, Object> explain(String method, String uri, @Nullable String host) {
    requireNonNull(method, "method");
    requireNonNull(uri, "uri");
    Explanation e = gateway.explain(method, uri,
        host == null ? HttpHeaders.empty() : HttpHeaders.builder().add("Host", host).build());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("verdict", e.verdict().name());
    out.put("method", e.method());
    out.put("path", e.path());
    out.put("refusal", e.refusal().orElse(null));
    out.put("route", e.routeId().orElse(null));
    out.put("pathVariables", e.pathVariables());
    out.put("upstreamUri", e.upstreamUri().orElse(null));
    out.put("policies", e.policies());
    out.put("allowedMethods", new TreeSet<>(e.allowedMethods()));
    return out;
  }
}
