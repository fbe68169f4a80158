/**
 * Not public API. The exchange's chain: the link that runs each step and enforces the filter
 * contract, the engine's policy steps (request size, authentication, rate limits, concurrency
 * limit, validation, header, query and method rules, JSON bodies, upstream errors), the policies a
 * route compiles to, its CORS policy and the default problem rendering. Steps reach the exchange
 * only through {@link dev.portico.gateway.internal.chain.StepContext}.
 */
@NullMarked
package dev.portico.gateway.internal.chain;

import org.jspecify.annotations.NullMarked;
