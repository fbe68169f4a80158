/**
 * Not public API. HTTP as the engine reads and writes it, whatever the route: the syntax (tokens,
 * hex digits, percent-decoding, field values), hop-by-hop fields, what is checked and dropped from
 * a client request before routing, identity values made safe for a field, and the view of Jetty's
 * fields as {@link dev.portico.gateway.HttpHeaders}.
 */
@NullMarked
package dev.portico.gateway.internal.http;

import org.jspecify.annotations.NullMarked;
