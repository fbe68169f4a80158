package dev.portico.gateway.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the static method of a {@link PorticoTest} class that builds the gateway under test. Its
 * parameters may be {@link FakeUpstream} (each one a new upstream, in order) and
 * {@link FakeIdentityProvider}; it returns a {@link dev.portico.gateway.Gateway} or a
 * {@link GatewayServer.Builder}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface GatewayUnderTest {}
