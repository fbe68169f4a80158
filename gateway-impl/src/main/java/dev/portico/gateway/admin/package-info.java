/**
 * The read-only admin view of a running gateway: {@link dev.portico.gateway.admin.AdminHandler},
 * a Jetty core handler the host mounts on an internal connector. JSON through Jackson.
 */
@NullMarked
package dev.portico.gateway.admin;

import org.jspecify.annotations.NullMarked;
