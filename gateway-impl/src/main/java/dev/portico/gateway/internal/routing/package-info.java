/**
 * Not public API. It may change in any release. Request routing: the path normalizer that makes a
 * request path safe to match, and the compiled route table that matches it.
 */
@NullMarked
package dev.portico.gateway.internal.routing;

import org.jspecify.annotations.NullMarked;
