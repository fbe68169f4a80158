package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.security.KeyStore;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * TLS settings for calling an {@code https} upstream: which certificates to trust, and which client
 * certificate to present for mutual TLS.
 *
 * <p>Without one, an {@code https} upstream is verified against the JVM's default trust store with
 * host name verification.
 *
 * <pre>{@code
 * UpstreamTls tls = UpstreamTls.builder()
 *     .trustStore(internalCa)                  // KeyStore with the upstream's CA
 *     .keyStore(gatewayIdentity, password)     // client certificate for mTLS
 *     .build();
 * }</pre>
 */
public final class UpstreamTls {
  private final @Nullable KeyStore trustStore;
  private final @Nullable KeyStore keyStore;
  private final char @Nullable [] keyPassword;
  private final boolean verifyHostname;

  private UpstreamTls(Builder b) {
    this.trustStore = b.trustStore;
    this.keyStore = b.keyStore;
    this.keyPassword = b.keyPassword == null ? null : b.keyPassword.clone();
    this.verifyHostname = b.verifyHostname;
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the trust store, or empty for the JVM's default. */
  public Optional<KeyStore> trustStore() {
    return Optional.ofNullable(trustStore);
  }

  /** Returns the key store holding the client certificate, if mutual TLS is configured. */
  public Optional<KeyStore> keyStore() {
    return Optional.ofNullable(keyStore);
  }

  /** Returns a copy of the password of the client key, if any. */
  public Optional<char[]> keyPassword() {
    return Optional.ofNullable(keyPassword == null ? null : keyPassword.clone());
  }

  /** Returns whether the upstream's certificate must match its host name (default true). */
  public boolean verifyHostname() {
    return verifyHostname;
  }

  @Override
  public String toString() {
    return "UpstreamTls{trustStore=" + (trustStore != null ? "custom" : "default")
        + ", clientCertificate=" + (keyStore != null) + ", verifyHostname=" + verifyHostname + "}";
  }

  /** Builds {@link UpstreamTls}. */
  public static final class Builder {
    private @Nullable KeyStore trustStore;
    private @Nullable KeyStore keyStore;
    private char @Nullable [] keyPassword;
    private boolean verifyHostname = true;

    Builder() {}

    /** Trusts the certificates in {@code trustStore} instead of the JVM's default. */
    public Builder trustStore(KeyStore trustStore) {
      this.trustStore = requireNonNull(trustStore, "trustStore");
      return this;
    }

    /** Presents the private key and certificate in {@code keyStore} (mutual TLS). */
    public Builder keyStore(KeyStore keyStore, char[] keyPassword) {
      this.keyStore = requireNonNull(keyStore, "keyStore");
      this.keyPassword = requireNonNull(keyPassword, "keyPassword").clone();
      return this;
    }

    /** Turns host name verification off; only for upstreams addressed by names their certificate lacks. */
    public Builder verifyHostname(boolean verifyHostname) {
      this.verifyHostname = verifyHostname;
      return this;
    }

    /** Returns the immutable settings. */
    public UpstreamTls build() {
      return new UpstreamTls(this);
    }
  }
}
