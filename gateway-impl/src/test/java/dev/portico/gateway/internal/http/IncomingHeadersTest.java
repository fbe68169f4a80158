package dev.portico.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.IdentityForwarding;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/** What every client request loses before anything reads it, and that it costs no copy when it loses nothing. */
class IncomingHeadersTest {
  private final IncomingHeaders incoming = IncomingHeaders.of(Gateway.builder()
      .route("a", r -> r.path("/a/**").upstream("http://a:8080")
          .identityForwarding(IdentityForwarding.builder().subjectHeader("X-User").build()))
      .build());

  @Test
  void fieldsWithNothingToDropAreReturnedAsTheyAreWithoutACopy() {
    HttpFields fields = HttpFields.build().add("Host", "a").add("Accept", "*/*").add("Connection", "keep-alive")
        .add("X-Users", "longer name").add("X-Use", "shorter name").asImmutable();

    assertThat(incoming.screen(fields)).isSameAs(fields);
  }

  @Test
  void identityAndOverrideHeadersGoInAnyCase() {
    HttpFields fields = HttpFields.build().add("x-user", "admin").add("X-AUTH-SUBJECT", "admin")
        .add("x-original-url", "/admin").add("Accept", "*/*").asImmutable();

    assertThat(names(incoming.screen(fields))).containsExactly("Accept");
  }

  @Test
  void fieldsTheClientsConnectionNamesGoWithThatConnectionHeader() {
    HttpFields fields = HttpFields.build().add("Connection", "close, X-Note").add("x-note", "hop").add("Accept", "*/*")
        .add("Content-Length", "0").asImmutable();

    assertThat(names(incoming.screen(fields))).containsExactly("Accept", "Content-Length");
  }

  @Test
  void standardConnectionOptionsAndFramingAreNotDroppedThere() {
    HttpFields fields = HttpFields.build().add("Connection", "Upgrade, close, TE, Content-Length, Host")
        .add("Upgrade", "websocket").add("TE", "trailers").add("Host", "a").add("Content-Length", "0").asImmutable();

    assertThat(incoming.screen(fields)).isSameAs(fields);
  }

  private static List<String> names(HttpFields fields) {
    return fields.stream().map(HttpField::getName).toList();
  }
}
