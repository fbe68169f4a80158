package dev.portico.gateway;

/**
 * One route policy that {@link Policies} (route defaults and per-method blocks) can set as a
 * whole: a route that sets it replaces the inherited value. Named as the builder method is.
 */
enum PolicySlot {
  AUTHENTICATION("authenticator"),
  ACCESS_RULES("authorize"),
  IDENTITY_FORWARDING("identityForwarding"),
  RATE_LIMITERS("rateLimiter"),
  CONCURRENCY_LIMIT("concurrencyLimit"),
  MAX_REQUEST_BODY_SIZE("maxRequestBodySize"),
  REQUEST_HEADERS("requestHeaders"),
  RESPONSE_HEADERS("responseHeaders"),
  REQUEST_QUERY("requestQuery"),
  VALIDATION("validate"),
  CORS("cors"),
  CONNECT_TIMEOUT("connectTimeout"),
  RESPONSE_TIMEOUT("responseTimeout"),
  IDLE_TIMEOUT("idleTimeout"),
  REQUEST_BODY_TIMEOUT("requestBodyTimeout"),
  IP_RULES("ipRules"),
  CACHE("cache");

  private final String key;

  PolicySlot(String key) {
    this.key = key;
  }

  /** A modifiable copy of {@code slots}, which may be empty. */
  static java.util.Set<PolicySlot> copy(java.util.Set<PolicySlot> slots) {
    java.util.Set<PolicySlot> copy = java.util.EnumSet.noneOf(PolicySlot.class);
    copy.addAll(slots);
    return copy;
  }

  /** The builder method's name, which is also the configuration file's key. */
  String key() {
    return key;
  }
}
