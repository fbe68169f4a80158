/**
 * Mounts a gateway on a Jetty 12 core server: {@link dev.portico.gateway.jetty.JettyGatewayHandler}.
 */
@NullMarked
package dev.portico.gateway.jetty;

import org.jspecify.annotations.NullMarked;
