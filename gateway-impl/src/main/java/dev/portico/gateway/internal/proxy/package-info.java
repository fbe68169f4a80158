/**
 * Not public API. The proxy leg: the upstream request built from the exchange (path, headers,
 * forwarding headers), the tries of one exchange with their endpoint choice, circuit and retries,
 * one try with its timeouts, and the upstream HTTP clients.
 */
@NullMarked
package dev.portico.gateway.internal.proxy;

import org.jspecify.annotations.NullMarked;
