/**
 * Refusing bad requests before they reach a backend: {@link
 * dev.portico.gateway.validation.RequestValidation} (required headers and query parameters,
 * content types, body size, a JSON Schema given as a {@link
 * dev.portico.gateway.validation.JsonSchema}). Set it on a route with {@code validate(..)}.
 */
@NullMarked
package dev.portico.gateway.validation;

import org.jspecify.annotations.NullMarked;
