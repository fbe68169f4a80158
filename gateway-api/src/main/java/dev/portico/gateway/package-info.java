/**
 * Portico's contract: assemble a {@link dev.portico.gateway.Gateway} with its builder, then hand it
 * to an adapter from {@code gateway-impl}.
 */
@NullMarked
package dev.portico.gateway;

import org.jspecify.annotations.NullMarked;
