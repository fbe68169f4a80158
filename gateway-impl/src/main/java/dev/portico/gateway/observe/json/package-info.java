/**
 * Access logs as JSON: {@link dev.portico.gateway.observe.json.JsonAccessLog} writes one JSON
 * object per exchange, with the trace id, through SLF4J (Jackson 3 inside).
 */
@NullMarked
package dev.portico.gateway.observe.json;

import org.jspecify.annotations.NullMarked;
