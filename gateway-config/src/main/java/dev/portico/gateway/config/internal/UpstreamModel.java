package dev.portico.gateway.config.internal;

import dev.portico.gateway.Upstream;
import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.upstream.CircuitBreakerSettings;
import dev.portico.gateway.upstream.HealthCheck;
import dev.portico.gateway.upstream.LoadBalancing;
import dev.portico.gateway.upstream.OutlierDetection;
import dev.portico.gateway.upstream.RequestMirror;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.TrafficSplit;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.time.Duration;

/** The keys of upstreams, upstream groups and their balancing, health, retries, breaker and TLS. Not public API. */
final class UpstreamModel {
  private UpstreamModel() {}

  static final Spec<UpstreamTls.Builder> TLS = Spec.<UpstreamTls.Builder>of("tls",
          "TLS to an upstream: whom to trust and which client certificate to present.")
      .key("trustStore", Type.object(Keys.StoreFile.SPEC), "the JDK's trusted CAs",
          "The CAs to trust for the upstream's certificate.",
          (b, v) -> b.trustStore(store(v).load(v.reading().baseDirectory())))
      .key("keyStore", Type.object(Keys.StoreFile.SPEC), "The client certificate and key to present (mutual TLS).",
          (b, v) -> {
            Keys.StoreFile s = store(v);
            b.keyStore(s.load(v.reading().baseDirectory()), s.keyPassword != null ? s.keyPassword : s.password);
          })
      .key("verifyHostname", Type.BOOLEAN, "true", "Whether the certificate must name the host.",
          (b, v) -> b.verifyHostname(v.bool()));

  private static Keys.StoreFile store(Value v) {
    Keys.StoreFile s = new Keys.StoreFile();
    v.bind(Keys.StoreFile.SPEC, s);
    return s;
  }

  static final class UpstreamDraft {
    String uri = "";
    UpstreamTls tls;
  }

  static final Spec<UpstreamDraft> UPSTREAM = Spec.<UpstreamDraft>of("upstream",
          "One upstream with its TLS settings; write just the URI when it needs none.")
      .required("uri", Type.STRING, "The http or https URI; its path is prepended to the request's.",
          (d, v) -> d.uri = v.text())
      .key("tls", Type.object(TLS), "TLS settings (https only).",
          (d, v) -> d.tls = v.build(TLS, UpstreamTls.builder(), UpstreamTls.Builder::build));

  /** An upstream written as a URI or as an object. */
  static Upstream upstream(Value v) {
    if (v.isScalar()) {
      return Upstream.of(v.text());
    }
    UpstreamDraft d = new UpstreamDraft();
    v.bind(UPSTREAM, d);
    Upstream.Builder b = Upstream.builder(d.uri);
    if (d.tls != null) {
      b.tls(d.tls);
    }
    return b.build();
  }

  static final Spec<Duration[]> BACKOFF = Spec.<Duration[]>of("backoff", "Exponential backoff between tries.")
      .required("base", Type.DURATION, "The first wait.", (d, v) -> d[0] = v.duration())
      .required("max", Type.DURATION, "The longest wait.", (d, v) -> d[1] = v.duration());

  static final Spec<int[]> BUDGET = Spec.<int[]>of("budget",
          "A retry budget: retries may add at most this share of requests.")
      .required("percent", Type.INTEGER, "Retries as a percentage of requests.", (d, v) -> d[0] = v.integer())
      .required("minPerSecond", Type.INTEGER, "Retries always allowed per second.", (d, v) -> d[1] = v.integer());

  static final Spec<RetryPolicy.Builder> RETRY = Spec.<RetryPolicy.Builder>of("retry",
          "When and how often a failed upstream call is tried again.")
      .key("maxRetries", Type.INTEGER, "Tries after the first.", (b, v) -> b.maxRetries(v.integer()))
      .key("retryOnStatuses", Type.INTEGERS, "Upstream statuses that are retried.",
          (b, v) -> b.retryOnStatuses(v.integers()))
      .key("retryNonIdempotent", Type.BOOLEAN, "false", "Also retry POST and PATCH requests the upstream may have seen.",
          (b, v) -> {
            if (v.bool()) {
              b.retryNonIdempotent();
            }
          })
      .key("backoff", Type.object(BACKOFF), "The waits between tries.", (b, v) -> {
        Duration[] d = new Duration[2];
        v.bind(BACKOFF, d);
        b.backoff(d[0], d[1]);
      })
      .key("perTryTimeout", Type.DURATION, "How long one try may take.", (b, v) -> b.perTryTimeout(v.duration()))
      .key("deadline", Type.DURATION, "How long all tries together may take.", (b, v) -> b.deadline(v.duration()))
      .key("budget", Type.object(BUDGET), "The retry budget.", (b, v) -> {
        int[] d = new int[2];
        v.bind(BUDGET, d);
        b.budget(d[0], d[1]);
      })
      .key("maxReplayBytes", Type.INTEGER, "The largest request body kept to send again.",
          (b, v) -> b.maxReplayBytes(v.integer()));

  static final Spec<HealthCheck.Builder[]> HEALTH = Spec.<HealthCheck.Builder[]>of("healthCheck",
          "Active health checks: a GET to each endpoint at an interval.")
      .required("path", Type.STRING, "The path to probe.", (b, v) -> b[0] = HealthCheck.builder(v.text()))
      .key("interval", Type.DURATION, "Time between probes.", (b, v) -> b[0].interval(v.duration()))
      .key("timeout", Type.DURATION, "How long a probe may take.", (b, v) -> b[0].timeout(v.duration()))
      .key("healthyThreshold", Type.INTEGER, "Passed probes that make an endpoint healthy.",
          (b, v) -> b[0].healthyThreshold(v.integer()))
      .key("unhealthyThreshold", Type.INTEGER, "Failed probes that make an endpoint unhealthy.",
          (b, v) -> b[0].unhealthyThreshold(v.integer()))
      .key("expectedStatuses", Type.INTEGERS, "Statuses that count as healthy.",
          (b, v) -> b[0].expectedStatuses(v.integers()));

  static final Spec<OutlierDetection.Builder[]> OUTLIERS = Spec.<OutlierDetection.Builder[]>of("outlierDetection",
          "Passive health: endpoints that fail in a row are ejected for a while.")
      .key("enabled", Type.BOOLEAN, "true", "false turns outlier detection off.", (b, v) -> {
        if (!v.bool()) {
          b[0] = null;
        }
      })
      .key("consecutiveFailures", Type.INTEGER, "Failures in a row that eject an endpoint.",
          (b, v) -> b[0].consecutiveFailures(v.integer()))
      .key("baseEjectionTime", Type.DURATION, "The first ejection's length.", (b, v) -> b[0].baseEjectionTime(v.duration()))
      .key("maxEjectionTime", Type.DURATION, "The longest ejection.", (b, v) -> b[0].maxEjectionTime(v.duration()))
      .key("maxEjectedPercent", Type.INTEGER, "The largest share of endpoints ejected at once.",
          (b, v) -> b[0].maxEjectedPercent(v.integer()));

  static final Spec<Object[]> SLOW_CALL = Spec.<Object[]>of("slowCall", "Slow calls that open the breaker.")
      .required("duration", Type.DURATION, "A call slower than this is slow.", (d, v) -> d[0] = v.duration())
      .required("percent", Type.NUMBER, "The share of slow calls that opens the breaker.",
          (d, v) -> d[1] = (float) v.number());

  static final Spec<int[]> WINDOW = Spec.<int[]>of("slidingWindow", "The calls a breaker's rates are measured over.")
      .required("size", Type.INTEGER, "Calls in the window.", (d, v) -> d[0] = v.integer())
      .required("minimumCalls", Type.INTEGER, "Calls needed before the rates count.", (d, v) -> d[1] = v.integer());

  static final Spec<CircuitBreakerSettings.Builder> BREAKER = Spec.<CircuitBreakerSettings.Builder>of("circuitBreaker",
          "A circuit breaker over the group (needs Resilience4j on the class path); {} for the defaults.")
      .key("failureRateThreshold", Type.NUMBER, "The failure percentage that opens the breaker.",
          (b, v) -> b.failureRateThreshold((float) v.number()))
      .key("slowCall", Type.object(SLOW_CALL), "Slow calls that open the breaker.", (b, v) -> {
        Object[] d = new Object[2];
        v.bind(SLOW_CALL, d);
        b.slowCall((Duration) d[0], (Float) d[1]);
      })
      .key("slidingWindow", Type.object(WINDOW), "The calls the rates are measured over.", (b, v) -> {
        int[] d = new int[2];
        v.bind(WINDOW, d);
        b.slidingWindow(d[0], d[1]);
      })
      .key("waitInOpenState", Type.DURATION, "How long the breaker stays open.", (b, v) -> b.waitInOpenState(v.duration()))
      .key("permittedCallsInHalfOpenState", Type.INTEGER, "Trial calls while half open.",
          (b, v) -> b.permittedCallsInHalfOpenState(v.integer()));

  static final Spec<Object[]> ENDPOINT = Spec.<Object[]>of("endpoint", "One endpoint with a weight.")
      .required("uri", Type.STRING, "The endpoint's http or https URI.", (d, v) -> d[0] = v.text())
      .key("weight", Type.INTEGER, "1", "Its share of requests relative to the others.", (d, v) -> d[1] = v.integer());

  static final Spec<UpstreamGroup.Builder> GROUP = Spec.<UpstreamGroup.Builder>of("upstreamGroup",
          "Endpoints that share balancing, health and a circuit breaker; routes name it with upstreamGroup.")
      .required("endpoints", Type.list(Type.either(Type.STRING, Type.object(ENDPOINT))),
          "The endpoints: URIs, or objects with a uri and a weight.", (b, v) -> {
            for (Value e : v.items()) {
              if (e.isScalar()) {
                b.endpoint(e.text());
              } else {
                Object[] d = {null, 1};
                e.bind(ENDPOINT, d);
                b.endpoint((String) d[0], (Integer) d[1]);
              }
            }
          })
      .key("loadBalancer", Type.oneWordOf("roundRobin", "random", "leastRequests", "powerOfTwoChoices"), "roundRobin",
          "How an endpoint is chosen (or give hashKey for consistent hashing).", (b, v) -> b.loadBalancer(
              switch (v.text()) {
                case "random" -> LoadBalancing.random();
                case "leastRequests" -> LoadBalancing.leastRequests();
                case "powerOfTwoChoices" -> LoadBalancing.powerOfTwoChoices();
                default -> LoadBalancing.roundRobin();
              }))
      .key("hashKey", Type.STRING, "Consistent hashing on header:NAME, cookie:NAME, clientIp or principal.",
          (b, v) -> b.loadBalancer(LoadBalancing.consistentHash(Keys.hashKey(v))))
      .key("healthCheck", Type.object(HEALTH), "Active health checks.", (b, v) -> {
        HealthCheck.Builder[] h = new HealthCheck.Builder[1];
        v.bind(HEALTH, h);
        b.healthCheck(h[0].build());
      })
      .key("outlierDetection", Type.object(OUTLIERS), "Passive ejection of failing endpoints.", (b, v) -> {
        OutlierDetection.Builder[] o = {OutlierDetection.builder()};
        v.bind(OUTLIERS, o);
        b.outlierDetection(o[0] == null ? OutlierDetection.disabled() : o[0].build());
      })
      .key("panicMode", Type.BOOLEAN, "Whether to use every endpoint when too few are healthy.",
          (b, v) -> b.panicMode(v.bool()))
      .key("circuitBreaker", Type.object(BREAKER), "A circuit breaker.",
          (b, v) -> b.circuitBreaker(v.build(BREAKER, CircuitBreakerSettings.builder(), CircuitBreakerSettings.Builder::build)))
      .key("tls", Type.object(TLS), "TLS to the endpoints.",
          (b, v) -> b.tls(v.build(TLS, UpstreamTls.builder(), UpstreamTls.Builder::build)))
      .key("protocol", Type.oneWordOf("HTTP_1_1", "HTTP_2"), "HTTP_1_1", "The protocol to the endpoints.",
          (b, v) -> b.protocol(UpstreamProtocol.valueOf(v.text())))
      .key("maxConnectionsPerEndpoint", Type.INTEGER, "Connections kept per endpoint.",
          (b, v) -> b.maxConnectionsPerEndpoint(v.integer()))
      .key("connectionIdleTimeout", Type.DURATION, "How long an idle connection is kept.",
          (b, v) -> b.connectionIdleTimeout(v.duration()));

  /** One rule of a split: a header or a cookie, its value, and the side it sends to. */
  static final Spec<String[]> SPLIT_RULE = Spec.<String[]>of("splitRule",
          "Sends requests with a header or cookie of this exact value to one side, whatever the weights.")
      .key("header", Type.STRING, "The header to look at (give header or cookie).", (a, v) -> {
        a[0] = "header";
        a[1] = v.text();
      })
      .key("cookie", Type.STRING, "The cookie to look at (give header or cookie).", (a, v) -> {
        a[0] = "cookie";
        a[1] = v.text();
      })
      .required("value", Type.STRING, "The exact value.", (a, v) -> a[2] = v.text())
      .required("to", Type.STRING, "The side (an upstream group of the split) it sends to.", (a, v) -> a[3] = v.text());

  /** A route's traffic split between upstream groups. */
  static final Spec<TrafficSplit.Builder> SPLIT = Spec.<TrafficSplit.Builder>of("split",
          "Shares the route's traffic between upstream groups: rules first, then the sticky key's side, else by"
              + " weight. The first side is the route's default.")
      .required("to", Type.map(Type.INTEGER), "Each side (an upstream group under upstreamGroups) and its weight.",
          (b, v) -> v.entries().forEach((name, x) -> {
            int weight = x.integer();
            if (weight < 0) {
              throw x.fail("weight " + weight + " (expected: >= 0)");
            }
            b.to(name, weight);
          }))
      .key("rules", Type.list(Type.object(SPLIT_RULE)), "Header and cookie rules, tried in order.",
          (b, v) -> v.items().forEach(x -> {
            String[] rule = new String[4];
            x.bind(SPLIT_RULE, rule);
            if (rule[0] == null) {
              throw x.fail("a rule needs header or cookie");
            }
            if (rule[0].equals("header")) {
              b.whenHeader(rule[1], rule[2], rule[3]);
            } else {
              b.whenCookie(rule[1], rule[2], rule[3]);
            }
          }))
      .key("stickyBy", Type.STRING, "none: shared by weight",
          "Keeps each key on one side: header:NAME, cookie:NAME, clientIp or principal.",
          (b, v) -> b.stickyBy(Keys.hashKey(v)));

  /** A route's mirror: copies of a share of its requests to a shadow upstream. */
  static final Spec<RequestMirror.Builder> MIRROR = Spec.<RequestMirror.Builder>of("mirror",
          "Copies a share of the route's requests to a shadow upstream, whose answers are dropped; the copies"
              + " never delay or fail the primary exchange.")
      .required("to", Type.STRING, "The shadow's base URI (http or https).", (b, v) -> b.to(v.text()))
      .key("percent", Type.NUMBER, "100", "The share of requests copied, in percent (more than 0, at most 100).",
          (b, v) -> b.percent(v.number()))
      .key("maxBodySize", Type.INTEGER, "65536", "The largest request body copied, in bytes; larger ones are not.",
          (b, v) -> b.maxBodySize(v.longValue()))
      .key("queue", Type.INTEGER, "256", "Copies in flight at once for the route; more are dropped.",
          (b, v) -> b.queue(v.integer()))
      .key("timeout", Type.DURATION, "5s", "How long one copy may take in all.", (b, v) -> b.timeout(v.duration()));
}
