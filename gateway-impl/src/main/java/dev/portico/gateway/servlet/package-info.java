/**
 * Mounts a gateway in any Servlet 6 container (Jetty ee10, Tomcat 11):
 * {@link dev.portico.gateway.servlet.GatewayServlet}.
 */
@NullMarked
package dev.portico.gateway.servlet;

import org.jspecify.annotations.NullMarked;
