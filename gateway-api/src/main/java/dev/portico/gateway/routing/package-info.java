/**
 * Route predicates: {@link dev.portico.gateway.routing.PathPattern path patterns},
 * {@link dev.portico.gateway.routing.HostPattern host patterns} and
 * {@link dev.portico.gateway.routing.FieldCondition header and query conditions}.
 */
@NullMarked
package dev.portico.gateway.routing;

import org.jspecify.annotations.NullMarked;
