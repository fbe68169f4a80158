/**
 * Not public API. It may change in any release. The HTTP syntax every check of Portico uses, the
 * API's builders and the engine alike: {@link dev.portico.gateway.internal.syntax.HttpSyntax}
 * (tokens, hex digits, percent-encoding, field values). It lives in gateway-api because gateway-api
 * depends on nothing and its builders check names and methods too; it is the only package of
 * gateway-api that is not API.
 */
@NullMarked
package dev.portico.gateway.internal.syntax;

import org.jspecify.annotations.NullMarked;
