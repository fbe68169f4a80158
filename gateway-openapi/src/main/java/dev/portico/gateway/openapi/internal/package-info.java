/** Not public API. How an OpenAPI document becomes routes: swagger-parser is only used here. */
@NullMarked
package dev.portico.gateway.openapi.internal;

import org.jspecify.annotations.NullMarked;
