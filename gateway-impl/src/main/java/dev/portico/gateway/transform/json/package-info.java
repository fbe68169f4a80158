/**
 * JSON body transformation with Jackson 3: {@link
 * dev.portico.gateway.transform.json.JacksonTreeFunction}, the functions a {@code JsonTransform}
 * runs over the tree, and {@link dev.portico.gateway.transform.json.JsonBodyTransformer}, the
 * compiled form the engine applies. The only package of the engine's policies that uses Jackson's
 * tree model.
 */
@NullMarked
package dev.portico.gateway.transform.json;

import org.jspecify.annotations.NullMarked;
