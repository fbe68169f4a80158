/**
 * Not public API. The engine's internals, which may change in any release without notice. Public
 * types here are public only so that the engine's other packages can reach them; host code and
 * extensions compile against gateway-api and the public packages of gateway-impl.
 */
@NullMarked
package dev.portico.gateway.internal;

import org.jspecify.annotations.NullMarked;
