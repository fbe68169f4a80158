package dev.portico.gateway.internal.spi;

import org.jspecify.annotations.Nullable;

/**
 * The libraries gateway-impl declares {@code <optional>}: a host that uses the feature adds the
 * artifact to its own build. A feature checks for its library when it is built (a builder's
 * {@code build()}, or the compiling of a gateway when an adapter is created) and fails there with
 * a message that names the artifact, never with a {@link NoClassDefFoundError} on a request, and
 * never by leaving a check out. Not public API.
 */
public enum OptionalLibrary {
  /** networknt json-schema-validator (with its {@code com.ethlo.time:itu}), for JSON Schema validation. */
  JSON_SCHEMA_VALIDATOR("com.networknt", "json-schema-validator", "com.networknt.schema.SchemaRegistry"),
  /** Resilience4j's circuit breaker (with its {@code resilience4j-core}), for group circuit breakers. */
  RESILIENCE4J_CIRCUITBREAKER("io.github.resilience4j", "resilience4j-circuitbreaker",
      "io.github.resilience4j.circuitbreaker.CircuitBreaker"),
  /** Google Tink, which Nimbus verifies Ed25519 (EdDSA) signatures with. */
  TINK("com.google.crypto.tink", "tink", "com.google.crypto.tink.subtle.Ed25519Verify"),
  /** Jetty's HTTP/2 client transport (with its HTTP/2 client, common and HPACK jars), for HTTP/2 upstream groups. */
  JETTY_HTTP2_CLIENT("org.eclipse.jetty.http2", "jetty-http2-client-transport",
      "org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2"),
  /** The JDK's ALPN processor for Jetty clients, to negotiate h2 with {@code https} endpoints. */
  JETTY_ALPN_JAVA_CLIENT("org.eclipse.jetty", "jetty-alpn-java-client", "org.eclipse.jetty.alpn.java.client.JDK9ClientALPNProcessor"),
  /** Caffeine, which holds the routes' response caches. */
  CAFFEINE("com.github.ben-manes.caffeine", "caffeine", "com.github.benmanes.caffeine.cache.Caffeine");

  private final String groupId;
  private final String artifactId;
  private final String probeClass;
  private volatile @Nullable Boolean present;

  OptionalLibrary(String groupId, String artifactId, String probeClass) {
    this.groupId = groupId;
    this.artifactId = artifactId;
    this.probeClass = probeClass;
  }

  /** The Maven coordinates without version: {@code groupId:artifactId}. */
  public String artifact() {
    return groupId + ":" + artifactId;
  }

  /** Returns whether the library is on gateway-impl's class path (looked up once). */
  public boolean isPresent() {
    Boolean known = present;
    if (known == null) {
      boolean found;
      try {
        Class.forName(probeClass, false, OptionalLibrary.class.getClassLoader());
        found = true;
      } catch (ClassNotFoundException | LinkageError e) {
        found = false;
      }
      present = known = found;
    }
    return known;
  }

  /**
   * Checks that the library is there for {@code feature}.
   *
   * @param feature what needs it, as the message's subject: the setting ({@code jsonSchema}) or type
   * @throws IllegalStateException naming the artifact to add, when the library is missing
   */
  public void require(String feature) {
    if (!isPresent()) {
      throw new IllegalStateException(missing(feature));
    }
  }

  /** The message for {@code feature} without this library. */
  public String missing(String feature) {
    return feature + " needs " + artifact() + " on the class path: add the dependency <groupId>" + groupId
        + "</groupId><artifactId>" + artifactId + "</artifactId> to the host's build (gateway-impl declares it"
        + " optional, so a host that does not use the feature does not get it).";
  }
}
