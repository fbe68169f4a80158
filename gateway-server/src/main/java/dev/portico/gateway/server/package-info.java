/**
 * The standalone server: a gateway read from a YAML or JSON file, run as its own process with
 * {@code java -jar portico-server.jar gateway.yaml}. Its only public type is
 * {@link dev.portico.gateway.server.PorticoServer}, the main class; the options are on the
 * "Standalone server" page of the site.
 */
@NullMarked
package dev.portico.gateway.server;

import org.jspecify.annotations.NullMarked;
