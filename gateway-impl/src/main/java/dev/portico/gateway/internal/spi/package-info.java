/**
 * Not public API. The seams the integrations plug into: the engine runs JSON Schema checks through
 * {@link dev.portico.gateway.internal.spi.BodyValidator}, JSON body transforms through
 * {@link dev.portico.gateway.internal.spi.BodyTransformer} and group circuit breakers through
 * {@link dev.portico.gateway.internal.spi.CircuitBreakers}, and never imports the libraries behind
 * them (networknt, Jackson's tree model, Resilience4j) nor the packages that do.
 * {@link dev.portico.gateway.internal.spi.Integrations} finds the implementations, and
 * {@link dev.portico.gateway.internal.spi.OptionalLibrary} says which library a feature needs when
 * the host left it out.
 */
@NullMarked
package dev.portico.gateway.internal.spi;

import org.jspecify.annotations.NullMarked;
