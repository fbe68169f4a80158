/**
 * Not public API. Request mirroring: a route's copies of requests to a shadow upstream, bounded and
 * counted, whose answers are dropped.
 */
@NullMarked
package dev.portico.gateway.internal.mirror;

import org.jspecify.annotations.NullMarked;
