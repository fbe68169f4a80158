/**
 * Portico's test kit, for a host application's own tests: start a gateway on an ephemeral loopback
 * port ({@link dev.portico.gateway.test.GatewayServer}, or in a servlet container with
 * {@link dev.portico.gateway.test.ServletServer}), put recording fakes behind it
 * ({@link dev.portico.gateway.test.FakeUpstream}, {@link dev.portico.gateway.test.RawUpstream}), let
 * it trust a fake identity provider ({@link dev.portico.gateway.test.FakeIdentityProvider}), move
 * time by hand ({@link dev.portico.gateway.test.TestClock}), and run the security conformance suite
 * against the host's own configuration ({@link dev.portico.gateway.test.GatewaySecurityConformance}).
 * {@link dev.portico.gateway.test.PorticoTest} starts a gateway and its fakes once per test class.
 * For extensions of your own, the contract tests check what the engine relies on
 * ({@link dev.portico.gateway.test.AuthenticatorContract},
 * {@link dev.portico.gateway.test.RateLimiterContract},
 * {@link dev.portico.gateway.test.LoadBalancerContract},
 * {@link dev.portico.gateway.test.FilterContract}), and
 * {@link dev.portico.gateway.test.TestExchange} calls them without a server.
 *
 * <p>Add {@code dev.portico:gateway-test} with {@code <scope>test</scope>}. Everything here listens
 * on {@code 127.0.0.1} only and is {@link java.lang.AutoCloseable}.
 */
@NullMarked
package dev.portico.gateway.test;

import org.jspecify.annotations.NullMarked;
