/**
 * The engine's internals. Not public API: anything here may change in any release.
 */
@NullMarked
package dev.portico.gateway.internal;

import org.jspecify.annotations.NullMarked;
