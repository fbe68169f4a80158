/**
 * Request and response adaptation between clients and backends: {@link
 * dev.portico.gateway.transform.HeaderRules}, {@link dev.portico.gateway.transform.QueryRules},
 * {@link dev.portico.gateway.transform.JsonTransform} and the {@link
 * dev.portico.gateway.transform.ValueTemplate} their values are written in. Set them on a route
 * with {@code requestHeaders(..)}, {@code responseHeaders(..)}, {@code requestQuery(..)},
 * {@code requestJson(..)} and {@code responseJson(..)}.
 */
@NullMarked
package dev.portico.gateway.transform;

import org.jspecify.annotations.NullMarked;
