package dev.portico.gateway.observe;

import static java.util.Objects.requireNonNull;

/**
 * One upstream request, as the engine is about to send it.
 *
 * @param method the method sent upstream
 * @param uri the upstream URI: scheme, host, port and path, without the query
 * @param endpoint the endpoint called, {@code host:port}
 * @param trace the context the engine proposes for this hop ({@code traceparent} sent upstream
 *     unless the {@link UpstreamObserver} returns its own)
 */
public record UpstreamStart(String method, String uri, String endpoint, TraceContext trace) {

  /** Validates the components. */
  public UpstreamStart {
    requireNonNull(method, "method");
    requireNonNull(uri, "uri");
    requireNonNull(endpoint, "endpoint");
    requireNonNull(trace, "trace");
  }
}
