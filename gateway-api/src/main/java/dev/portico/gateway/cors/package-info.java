/**
 * Cross-origin resource sharing: a {@link dev.portico.gateway.cors.CorsPolicy} on a route or the
 * whole gateway lets browsers on other origins call it; the gateway answers preflight requests
 * itself.
 */
@NullMarked
package dev.portico.gateway.cors;

import org.jspecify.annotations.NullMarked;
