/** A Spring Boot application with a Portico gateway, its routes given as {@code portico.*} properties. */
@NullMarked
package dev.portico.gateway.examples.boot;

import org.jspecify.annotations.NullMarked;
