/**
 * The dev profile: fake backends and a development token issuer, started in the application's
 * JVM so that it runs with no outside service. DEVELOPMENT ONLY.
 */
@NullMarked
package dev.portico.gateway.examples.boot.dev;

import org.jspecify.annotations.NullMarked;
