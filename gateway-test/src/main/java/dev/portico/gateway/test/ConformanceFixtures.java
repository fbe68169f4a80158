package dev.portico.gateway.test;

/**
 * What {@link GatewaySecurityConformance} starts for the gateway under test to use: an identity
 * provider for its JWT authenticator to trust, the recording upstream its protected route must
 * forward to, and an upstream for a public route. Owned and closed by the suite.
 */
public final class ConformanceFixtures {
  private final FakeIdentityProvider identityProvider;
  private final RawUpstream protectedUpstream;
  private final FakeUpstream publicUpstream;

  ConformanceFixtures(FakeIdentityProvider identityProvider, RawUpstream protectedUpstream, FakeUpstream publicUpstream) {
    this.identityProvider = identityProvider;
    this.protectedUpstream = protectedUpstream;
    this.publicUpstream = publicUpstream;
  }

  /**
   * Returns the identity provider whose tokens the protected route must accept: configure the
   * route's {@code JwtAuthenticator} with its {@link FakeIdentityProvider#issuer() issuer}
   * (discovery), its {@link FakeIdentityProvider#jwksUri() JWK set} or, for HS256, its
   * {@link FakeIdentityProvider#hmacSecret() secret}.
   */
  public FakeIdentityProvider identityProvider() {
    return identityProvider;
  }

  /**
   * Returns the URI the JWT-protected route must forward to: an upstream that records the exact
   * bytes it receives, so the suite sees anything that gets through.
   */
  public String protectedUpstreamUri() {
    return protectedUpstream.uri();
  }

  /**
   * Returns an upstream for a public route on {@link ConformanceTarget#publicPrefix()}, if the
   * gateway has one: the suite checks that forged identity headers never reach it.
   */
  public String publicUpstreamUri() {
    return publicUpstream.uri();
  }

  RawUpstream protectedUpstream() {
    return protectedUpstream;
  }
}
