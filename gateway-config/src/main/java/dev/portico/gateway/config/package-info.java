/**
 * Reads a gateway from a YAML or JSON file: {@link dev.portico.gateway.config.GatewayConfig}.
 * The file reaches the same builder a Java program calls, so a file and the equivalent Java code
 * make equal gateways.
 */
@NullMarked
package dev.portico.gateway.config;

import org.jspecify.annotations.NullMarked;
