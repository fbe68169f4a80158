/**
 * JSON Schema validation with networknt json-schema-validator:
 * {@link dev.portico.gateway.validation.jsonschema.JsonSchemaValidator}, the compiled schema the
 * engine runs. The only package that uses networknt.
 */
@NullMarked
package dev.portico.gateway.validation.jsonschema;

import org.jspecify.annotations.NullMarked;
