package dev.portico.gateway.validation.jsonschema;

import dev.portico.gateway.internal.spi.BodyValidator;
import dev.portico.gateway.internal.spi.BodyValidators;
import dev.portico.gateway.internal.spi.ValueValidator;
import dev.portico.gateway.validation.JsonSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * Plugs {@link JsonSchemaValidator} into the engine's validation step: the engine loads it by name
 * ({@code Integrations.jsonSchema()}) once networknt is known to be on the class path.
 */
final class JsonSchemaIntegration implements BodyValidators {

  @Override
  public BodyValidator compile(JsonSchema schema) {
    JsonSchemaValidator validator = JsonSchemaValidator.compile(schema);
    return body -> result(validator.validate(body));
  }

  @Override
  public ValueValidator compileValue(JsonSchema schema) {
    ParameterSchema parameter = ParameterSchema.compile(schema);
    return new ValueValidator() {
      @Override
      public boolean isArray() {
        return parameter.isArray();
      }

      @Override
      public BodyValidator.Result validate(List<String> values) {
        return result(parameter.validate(values));
      }
    };
  }

  private static BodyValidator.Result result(JsonSchemaValidator.Result result) {
    if (result instanceof JsonSchemaValidator.Malformed malformed) {
      return new BodyValidator.Malformed(malformed.reason());
    }
    if (result instanceof JsonSchemaValidator.Invalid invalid) {
      List<BodyValidator.Violation> violations = new ArrayList<>(invalid.violations().size());
      for (JsonSchemaValidator.Violation v : invalid.violations()) {
        violations.add(new BodyValidator.Violation(v.pointer(), v.message()));
      }
      return new BodyValidator.Invalid(violations);
    }
    return new BodyValidator.Valid();
  }
}
