package dev.portico.gateway.internal.cache;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.cache.CachePolicy;
import dev.portico.gateway.internal.body.UpstreamBody;
import dev.portico.gateway.internal.chain.ChainStep;
import dev.portico.gateway.internal.chain.StepContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A route's response cache, the innermost step of its chain (it sees the request as it goes
 * upstream and the upstream's response first): answers GET and HEAD from fresh entries,
 * revalidates stale ones with their validators, keeps what RFC 9111 lets a shared cache keep,
 * collapses concurrent misses for one key, and drops a path's entries when an unsafe method on
 * it succeeds (section 4.4). Not public API.
 */
public final class CacheStep implements ChainStep {
  /** The response header that says whether the cache answered. */
  public static final String HEADER = "X-Cache";
  /** Statuses a cache may keep when the upstream gives them explicit freshness (RFC 9110 section 15.1). */
  private static final Set<Integer> CACHEABLE = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
  private static final List<String> CONDITIONALS = List.of("If-None-Match", "If-Modified-Since", "If-Match",
      "If-Unmodified-Since", "If-Range");

  private final CachePolicy policy;
  private final CacheStore store;
  private final boolean routeAuthenticates;
  private final Function<Exchange, @Nullable String> forwardedPath;
  private final ConcurrentHashMap<String, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /**
   * @param forwardedPath the path (and query) the request goes upstream with, or null when it
   *     cannot be forwarded (the proxy step refuses it)
   */
  public CacheStep(CachePolicy policy, CacheStore store, boolean routeAuthenticates,
      Function<Exchange, @Nullable String> forwardedPath) {
    this.policy = policy;
    this.store = store;
    this.routeAuthenticates = routeAuthenticates;
    this.forwardedPath = forwardedPath;
  }

  @Override
  public String name() {
    return "cache";
  }

  /** Returns the policy. */
  public CachePolicy policy() {
    return policy;
  }

  /** Returns the store. */
  public CacheStore store() {
    return store;
  }

  /** Returns how many requests the cache answered. */
  public long hits() {
    return hits.sum();
  }

  /** Returns how many cacheable requests went upstream. */
  public long misses() {
    return misses.sum();
  }

  @Override
  public CompletionStage<GatewayResponse> run(StepContext context, Exchange exchange, FilterChain chain) {
    GatewayRequest request = exchange.request();
    String method = request.method();
    boolean get = method.equals("GET");
    if (!get && !method.equals("HEAD")) {
      if (SAFE.contains(method)) {
        return chain.proceed(exchange);
      }
      String key = key(exchange);
      return chain.proceed(exchange).thenApply(response -> {
        // RFC 9111 section 4.4: a non-error response to an unsafe method invalidates the target URI.
        if (key != null && response.problem().isEmpty() && response.status() < 400) {
          store.invalidate(key);
        }
        return response;
      });
    }
    String key = key(exchange);
    if (key == null) {
      return chain.proceed(exchange);
    }
    return lookup(context, exchange, chain, key, get && policy.collapseWait().toNanos() > 0);
  }

  private CompletionStage<GatewayResponse> lookup(StepContext context, Exchange exchange, FilterChain chain,
      String key, boolean collapse) {
    GatewayRequest request = exchange.request();
    HttpHeaders headers = request.headers();
    CacheControl requestCc = CacheControl.parse(headers.all("Cache-Control"));
    CacheEntry entry = null;
    for (CacheEntry e : store.get(key)) {
      if (e.matches(headers)) {
        entry = e;
      }
    }
    long now = System.currentTimeMillis();
    if (entry != null) {
      long age = entry.age(now);
      if (isFresh(entry, age, requestCc)) {
        return CompletableFuture.completedFuture(hit(context, request, entry, age));
      }
      if (!request.method().equals("GET")) {
        return chain.proceed(exchange);   // a HEAD on a stale entry goes upstream as it is
      }
      if (entry.hasValidator()) {
        return revalidate(context, exchange, chain, key, entry, requestCc, now);
      }
    }
    // A miss. Concurrent misses for one key wait for the first (plain GETs only), at most collapseWait.
    if (collapse && !hasConditionals(headers)) {
      CompletableFuture<Boolean> mine = new CompletableFuture<>();
      CompletableFuture<Boolean> leader = inFlight.putIfAbsent(key, mine);
      if (leader != null) {
        CompletableFuture<GatewayResponse> answer = new CompletableFuture<>();
        leader.copy().completeOnTimeout(false, policy.collapseWait().toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((stored, x) -> lookup(context, exchange, chain, key, false).whenComplete((r, f) -> {
              if (f != null) {
                answer.completeExceptionally(f);
              } else {
                answer.complete(r);
              }
            }));
        return answer;
      }
      Consumer<Boolean> done = stored -> {
        mine.complete(stored);
        inFlight.remove(key, mine);
      };
      context.whenFinished(() -> done.accept(false));
      return fetch(context, exchange, chain, key, requestCc, now, done);
    }
    return fetch(context, exchange, chain, key, requestCc, now, stored -> { });
  }

  /** Goes upstream with the request as it is, and keeps the response if it may. */
  private CompletionStage<GatewayResponse> fetch(StepContext context, Exchange exchange, FilterChain chain,
      String key, CacheControl requestCc, long requestMillis, Consumer<Boolean> done) {
    misses.increment();
    context.observer().cacheLookup("miss");
    CompletionStage<GatewayResponse> upstream;
    try {
      upstream = chain.proceed(exchange);
    } catch (RuntimeException e) {
      done.accept(false);
      throw e;
    }
    return upstream.whenComplete((r, x) -> {
      if (x != null) {
        done.accept(false);
      }
    }).thenApply(response -> keep(context, exchange, key, requestCc, requestMillis, response, done));
  }

  /**
   * Asks the upstream whether {@code entry} is still good, with its validators in place of the
   * client's: a 304 refreshes it (section 4.3.4) and the client is answered from it; any other
   * answer is handled as a miss's.
   */
  private CompletionStage<GatewayResponse> revalidate(StepContext context, Exchange exchange, FilterChain chain,
      String key, CacheEntry entry, CacheControl requestCc, long requestMillis) {
    GatewayRequest request = exchange.request();
    GatewayRequest.Builder conditional = request.toBuilder();
    HttpHeaders.Builder h = request.headers().toBuilder();
    CONDITIONALS.forEach(h::remove);
    entry.etag().ifPresent(etag -> h.set("If-None-Match", etag));
    entry.lastModified().ifPresent(lm -> h.set("If-Modified-Since", lm));
    Exchange asked = exchange.withRequest(conditional.headers(h.build()).build());
    return chain.proceed(asked).thenApply(response -> {
      if (response.problem().isEmpty() && response.status() == 304) {
        if (response.body() instanceof UpstreamBody body) {
          body.discard(new java.util.concurrent.CancellationException("revalidated"));
        }
        CacheEntry refreshed = refreshed(entry, response.headers(), requestMillis);
        store.put(key, refreshed);
        long now = System.currentTimeMillis();
        return hit(context, request, refreshed, refreshed.age(now));
      }
      misses.increment();
      context.observer().cacheLookup("miss");
      return keep(context, exchange, key, requestCc, requestMillis, response, stored -> { });
    });
  }

  /** The entry with the headers of a 304 in place of its own (section 3.2), and new times. */
  private static CacheEntry refreshed(CacheEntry entry, HttpHeaders notModified, long requestMillis) {
    long now = System.currentTimeMillis();
    HttpHeaders.Builder h = entry.headers().toBuilder();
    for (String name : notModified.names()) {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (lower.equals("content-length") || lower.equals("content-encoding") || lower.equals("transfer-encoding")
          || lower.equals("set-cookie") || lower.equals("connection") || lower.equals("keep-alive")) {
        continue;
      }
      h.remove(name);
      notModified.all(name).forEach(v -> h.add(name, v));
    }
    HttpHeaders headers = h.remove("Age").build();
    CacheControl cc = CacheControl.parse(headers.all("Cache-Control"));
    long lifetime = Math.max(0, CacheEntry.lifetime(cc, headers, now));
    return new CacheEntry(entry.status(), headers, entry.body(), entry.varyNames(), entry.varyValues(),
        CacheEntry.initialAge(notModified, requestMillis, now), now, lifetime, cc);
  }

  /** Marks {@code response} a miss and, when RFC 9111 and the policy allow, keeps a copy as it streams. */
  private GatewayResponse keep(StepContext context, Exchange exchange, String key, CacheControl requestCc,
      long requestMillis, GatewayResponse response, Consumer<Boolean> done) {
    if (response.problem().isPresent() || !(response.body() instanceof UpstreamBody body)) {
      done.accept(false);
      return response;
    }
    GatewayResponse marked = response.withHeaders(response.headers().toBuilder().set(HEADER, "MISS").build());
    long responseMillis = System.currentTimeMillis();
    HttpHeaders headers = response.headers();
    CacheControl cc = CacheControl.parse(headers.all("Cache-Control"));
    long lifetime = CacheEntry.lifetime(cc, headers, responseMillis);
    List<String> varyNames = CacheEntry.varyNames(headers);
    boolean storable = exchange.request().method().equals("GET")
        && CACHEABLE.contains(response.status())
        && !requestCc.noStore() && !cc.noStore() && !cc.isPrivate()
        && !varyNames.contains("*")
        && (lifetime > 0 || lifetime >= 0 && hasValidator(headers) || cc.noCache() && hasValidator(headers))
        // keyByIdentity counts only with an identity in the key: a bare Authorization header is no identity
        && (!authenticated(exchange) || policy.keyByIdentity() && exchange.identity().isPresent()
            || cc.isPublic() || cc.sMaxAge() >= 0
            || cc.mustRevalidate())
        && (policy.cacheSetCookie() || headers.first("Set-Cookie").isEmpty())
        && body.length().orElse(0) <= policy.maxEntryBytes();
    if (!storable) {
      done.accept(false);
      return marked;
    }
    HttpHeaders requestHeaders = exchange.request().headers();
    List<String> varyValues = varyNames.stream().map(n -> CacheEntry.joined(requestHeaders, n)).toList();
    HttpHeaders kept = headers.toBuilder().remove("Set-Cookie").remove("Age").remove(HEADER).build();
    long initialAge = CacheEntry.initialAge(headers, requestMillis, responseMillis);
    long freshFor = cc.noCache() ? 0 : Math.max(0, lifetime);
    CapturingSource capturing = new CapturingSource(body.source(), (int) policy.maxEntryBytes(),
        body.length().orElse(-1), bytes -> {
          store.put(key, new CacheEntry(response.status(), kept, bytes, varyNames, varyValues, initialAge,
              responseMillis, freshFor, cc));
          done.accept(true);
        }, () -> done.accept(false));
    UpstreamBody teed = body.withSource(capturing);
    context.upstreamResponded(teed);
    return GatewayResponse.of(marked.status(), marked.headers(), teed);
  }

  /** The client's answer from {@code entry}: 304 when its own validators match, else the entry. */
  private GatewayResponse hit(StepContext context, GatewayRequest request, CacheEntry entry, long age) {
    hits.increment();
    context.observer().cacheLookup("hit");
    HttpHeaders.Builder h = entry.headers().toBuilder().set("Age", Long.toString(age)).set(HEADER, "HIT");
    if (notModified(request.headers(), entry)) {
      HttpHeaders.Builder notModified = HttpHeaders.builder();
      for (String name : List.of("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary",
          "Last-Modified", "Age", HEADER)) {
        h.build().all(name).forEach(v -> notModified.add(name, v));
      }
      return GatewayResponse.of(304, notModified.build(), ResponseBody.empty());
    }
    return GatewayResponse.of(entry.status(), h.build(), ResponseBody.of(entry.body()));
  }

  /** Whether the client's conditional request is answered 304 by {@code entry} (RFC 9110 section 13.2.2). */
  static boolean notModified(HttpHeaders request, CacheEntry entry) {
    if (entry.status() != 200) {
      return false;
    }
    List<String> inm = request.all("If-None-Match");
    if (!inm.isEmpty()) {
      String etag = entry.etag().orElse(null);
      if (etag == null) {
        return false;
      }
      String mine = weak(etag);
      for (String line : inm) {
        for (String candidate : line.split(",")) {
          String c = candidate.trim();
          if (c.equals("*") || weak(c).equals(mine)) {
            return true;
          }
        }
      }
      return false;
    }
    String ims = request.first("If-Modified-Since").orElse(null);
    String lm = entry.lastModified().orElse(null);
    if (ims == null || lm == null) {
      return false;
    }
    Long since = CacheEntry.httpDate(ims);
    Long modified = CacheEntry.httpDate(lm);
    return since != null && modified != null && modified <= since;
  }

  private static String weak(String etag) {
    return etag.startsWith("W/") ? etag.substring(2) : etag;
  }

  /**
   * Whether {@code entry} may answer without asking the upstream (RFC 9111 section 4.2), given the
   * request's directives: its {@code no-cache} and {@code max-age} are honoured (both can only
   * make the gateway revalidate, at the cost of a conditional request); {@code max-stale} is not
   * (the gateway never serves stale content).
   */
  static boolean isFresh(CacheEntry entry, long age, CacheControl requestCc) {
    if (entry.cacheControl().noCache() || requestCc.noCache() || age >= entry.lifetime()) {
      return false;
    }
    if (requestCc.maxAge() >= 0 && age > requestCc.maxAge()) {
      return false;
    }
    return requestCc.minFresh() < 0 || entry.lifetime() - age >= requestCc.minFresh();
  }

  private boolean authenticated(Exchange exchange) {
    return routeAuthenticates || exchange.request().headers().first("Authorization").isPresent();
  }

  private static boolean hasValidator(HttpHeaders headers) {
    return headers.first("ETag").isPresent() || headers.first("Last-Modified").isPresent();
  }

  private static boolean hasConditionals(HttpHeaders headers) {
    return headers.first("If-None-Match").isPresent() || headers.first("If-Modified-Since").isPresent();
  }

  /**
   * The key of a request: scheme, authority, and path and query as forwarded upstream (so two
   * spellings the gateway forwards alike share an entry, and a path the gateway forwards as it is,
   * such as {@code /account.css}, is its own key); with {@code keyByIdentity}, the caller's
   * principal. Null when the path cannot be forwarded.
   */
  private @Nullable String key(Exchange exchange) {
    String path = forwardedPath.apply(exchange);
    if (path == null) {
      return null;
    }
    GatewayRequest request = exchange.request();
    StringBuilder key = new StringBuilder(request.scheme()).append("://")
        .append(request.authority().toLowerCase(java.util.Locale.ROOT)).append(path);
    request.rawQuery().ifPresent(q -> key.append('?').append(q));
    if (policy.keyByIdentity()) {
      key.append(" \u0000").append(exchange.identity().map(i -> i.issuer().orElse("") + " " + i.subject()).orElse(""));
    }
    return key.toString();
  }

  @Override
  public String toString() {
    return "CacheStep{" + policy + "}";
  }
}
