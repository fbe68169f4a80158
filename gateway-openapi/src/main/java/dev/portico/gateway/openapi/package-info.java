/**
 * Routes and request validation from an OpenAPI 3.0 or 3.1 document:
 * {@link dev.portico.gateway.openapi.OpenApiRoutes} reads the document once and gives one
 * {@link dev.portico.gateway.Route} per operation, to add to a {@link dev.portico.gateway.Gateway}
 * next to the host's own routes. {@link dev.portico.gateway.openapi.OpenApiException} reports a
 * document that cannot become routes.
 */
@NullMarked
package dev.portico.gateway.openapi;

import org.jspecify.annotations.NullMarked;
