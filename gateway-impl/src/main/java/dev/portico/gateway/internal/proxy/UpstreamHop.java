package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.observe.TraceContext;
import dev.portico.gateway.observe.UpstreamObserver;

/**
 * One upstream request's observer and the trace context it carries upstream: a new span of the
 * exchange's trace, or the observer's own (a client span). Not public API.
 */
public record UpstreamHop(UpstreamObserver observer, TraceContext trace) {}
