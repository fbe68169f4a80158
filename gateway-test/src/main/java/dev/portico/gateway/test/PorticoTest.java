package dev.portico.gateway.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit 5 test class against one gateway, started once for the class with the fakes it
 * needs, and stopped after it ({@link PorticoExtension}).
 *
 * <p>The class names its gateway in one static method annotated {@link GatewayUnderTest}. That
 * method's parameters say what to start first: each {@link FakeUpstream} parameter is an upstream
 * of its own (the first parameter upstream 0, the next upstream 1, ...), a
 * {@link FakeIdentityProvider} parameter starts an identity provider. It returns the
 * {@link dev.portico.gateway.Gateway}, or a {@link GatewayServer.Builder} for a server with other
 * settings. Test methods, constructors and lifecycle methods then take the same things as
 * parameters, and the {@link GatewayServer} as well:
 *
 * <pre>{@code
 * @PorticoTest
 * class OrdersRouteTest {
 *   @GatewayUnderTest
 *   static Gateway gateway(FakeUpstream orders, FakeIdentityProvider idp) {
 *     return Gateway.builder()
 *         .route("orders", r -> r.path("/api/orders/**")
 *             .authenticator(JwtAuthenticator.builder().issuer(idp.issuer()).audience("orders").build())
 *             .upstream(orders.uri()))
 *         .build();
 *   }
 *
 *   @Test
 *   void aTokenReachesTheUpstream(GatewayServer server, FakeUpstream orders, FakeIdentityProvider idp) {
 *     // send a request to server.uri("/api/orders/7") with idp.token().audience("orders").sign()
 *     // and look at orders.requests()
 *   }
 * }
 * }</pre>
 *
 * <p>Before each test the upstreams are as new: they forget the requests they received, the
 * answers queued with {@link FakeUpstream#enqueue}, the default set with
 * {@link FakeUpstream#answer} (back to {@code 200 ok}) and a {@link FakeUpstream#respondWith
 * responder}; set answers in the test or in a
 * {@code @BeforeEach} method.
 * {@code @Nested} classes share their enclosing class's gateway unless they declare their own.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(PorticoExtension.class)
public @interface PorticoTest {}
