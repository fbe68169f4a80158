/**
 * The read-only admin view of a running gateway: {@link dev.portico.gateway.admin.AdminHandler},
 * a Jetty core handler the host mounts on an internal connector, serving as JSON (through Jackson)
 * the documents {@link dev.portico.gateway.admin.AdminView} makes, which other front ends (the
 * Spring Boot actuator endpoint) serve too.
 */
@NullMarked
package dev.portico.gateway.admin;

import org.jspecify.annotations.NullMarked;
