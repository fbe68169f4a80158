/**
 * Not public API. It may change in any release. WebSocket proxying on Jetty's websocket-core: the
 * relay that passes frames between the client's and the upstream's sessions with demand-driven
 * back-pressure, and the seam a host adapter uses to switch the client's connection. The only
 * engine package that imports websocket-core, an optional dependency: nothing here loads unless a
 * route says {@code websocket()}.
 */
@NullMarked
package dev.portico.gateway.internal.websocket;

import org.jspecify.annotations.NullMarked;
