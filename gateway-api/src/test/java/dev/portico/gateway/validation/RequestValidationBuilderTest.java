package dev.portico.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import java.net.URI;
import org.junit.jupiter.api.Test;

class RequestValidationBuilderTest {

  @Test
  void mediaRangesMatchTypeWildcardAndSuffix() {
    RequestValidation v = RequestValidation.builder().contentTypes("application/json", "text/*", "application/*+xml").build();

    assertThat(v.acceptsContentType("application/json; charset=utf-8")).isTrue();
    assertThat(v.acceptsContentType("Application/JSON")).isTrue();
    assertThat(v.acceptsContentType("text/csv")).isTrue();
    assertThat(v.acceptsContentType("application/atom+xml")).isTrue();
    assertThat(v.acceptsContentType("application/xml")).isFalse();
    assertThat(v.acceptsContentType("application/problem+json")).isFalse();
    assertThat(v.acceptsContentType("garbage")).isFalse();
  }

  @Test
  void aSchemaDefaultsToJsonAndASizeLimit() {
    RequestValidation v = RequestValidation.builder().jsonSchema(JsonSchema.of("{}")).build();

    assertThat(v.contentTypes()).containsExactly("application/json", "application/*+json");
    assertThat(v.maxBodySize()).hasValue(RequestValidation.DEFAULT_SCHEMA_BODY_SIZE);
  }

  @Test
  void buildErrorsNameTheRouteAndField() {
    assertThatThrownBy(() -> Gateway.builder().route("orders", r -> r.path("/orders")
            .validate(v -> v.contentTypes("json")).upstream("http://orders:8080")).build())
        .hasMessage("route 'orders': validate: contentTypes: 'json' (expected: type/subtype, type/* or type/*+suffix)");
    assertThatThrownBy(() -> Gateway.builder().route("orders", r -> r.path("/orders")
            .validate(v -> v.contentTypes("text/plain").jsonSchema(JsonSchema.of("{}"))).upstream("http://orders:8080")).build())
        .hasMessage("route 'orders': validate: contentTypes [text/plain] accept no JSON, but a jsonSchema is set");
    assertThatThrownBy(() -> JsonSchema.at(URI.create("https://schemas.example.com/order.json")))
        .hasMessageStartingWith("uri: 'https://schemas.example.com/order.json' (expected: a file: or jar: URI");
  }
}
