package dev.portico.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.IdentityValues;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.Mounting;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Identity values that are not plain visible ASCII reach the upstream in the documented encoding
 * (RFC 8187 {@code UTF-8''} and percent-encoded UTF-8), on every adapter: never collapsed to
 * spaces or Latin-1 bytes, never a 500 for CR or LF, and never equal to another subject's plain
 * value. The test decodes what the upstream got with its own decoder.
 */
class IdentityHeaderEncodingTest {
  private FakeUpstream upstream;
  private Mounting.Running host;

  /** {@code Authorization: Subject <form-encoded UTF-8>}: that subject, with a claim and a scope of the same text. */
  private static final Authenticator ANY_SUBJECT = exchange -> {
    String authorization = exchange.request().headers().first("Authorization").orElse("");
    if (!authorization.startsWith("Subject ")) {
      return CompletableFuture.completedFuture(AuthResult.noCredentials(Challenge.bearer(null)));
    }
    String subject = URLDecoder.decode(authorization.substring(8), StandardCharsets.UTF_8);
    return CompletableFuture.completedFuture(AuthResult.authenticated(Identity.builder(subject).method("subject")
        .scopes(Set.of("read", subject)).claims(Map.of("name", subject)).build()));
  };

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private RecordedRequest send(Mounting mounting, String subject) throws Exception {
    host = mounting.start(Gateway.builder()
        .route("api", r -> r.path("/api/**").authenticator(ANY_SUBJECT).upstream(upstream.uri())
            .identityForwarding(IdentityForwarding.headersOnly())
            .requestHeaders(h -> h.set("X-Name", "{identity.claim.name}").set("X-Greeting", "hello {identity.subject}")))
        .build());
    int status = host.client().newRequest(host.uri("/api/x"))
        .headers(h -> h.add("Authorization", "Subject " + URLEncoder.encode(subject, StandardCharsets.UTF_8)))
        .timeout(10, TimeUnit.SECONDS).send().getStatus();
    assertThat(status).isEqualTo(200);
    return upstream.takeRequest();
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aSubjectBeyondLatin1IsSentEncodedAndNeverCollapsed(Mounting mounting) throws Exception {
    RecordedRequest received = send(mounting, "admin日");

    assertThat(received.header("X-Auth-Subject")).contains("UTF-8''admin%E6%97%A5");
    assertThat(IdentityValues.decode(received.header("X-Auth-Subject").orElseThrow())).isEqualTo("admin日");
    assertThat(IdentityValues.decode(received.header("X-Name").orElseThrow())).isEqualTo("admin日");
    assertThat(IdentityValues.decode(received.header("X-Greeting").orElseThrow())).isEqualTo("hello admin日");
    assertThat(IdentityValues.decode(received.header("X-Auth-Scopes").orElseThrow())).isEqualTo("admin日 read");
    assertThat(received.header("X-Auth-Method")).contains("subject");
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aLatin1SubjectIsSentAsUtf8NotAsOneByte(Mounting mounting) throws Exception {
    RecordedRequest received = send(mounting, "josé");

    assertThat(received.header("X-Auth-Subject")).contains("UTF-8''jos%C3%A9");
    assertThat(received.header("X-Name")).contains("UTF-8''jos%C3%A9");
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void crLfAndNulInTheSubjectAreEncodedNeverA500NorASplitHeader(Mounting mounting) throws Exception {
    RecordedRequest received = send(mounting, "admin\r\nX-Injected: yes\u0000");

    assertThat(received.header("X-Injected")).isEmpty();
    assertThat(received.header("X-Auth-Subject")).contains("UTF-8''admin%0D%0AX-Injected%3A%20yes%00");
    assertThat(IdentityValues.decode(received.header("X-Name").orElseThrow())).isEqualTo("admin\r\nX-Injected: yes\u0000");
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET_H2", "TOMCAT_SERVLET"})
  void aSubjectThatLooksEncodedIsEncodedItselfSoItCannotPassForAnother(Mounting mounting) throws Exception {
    RecordedRequest literal = send(mounting, "admin%E6%97%A5");
    host.close();
    host = null;
    RecordedRequest marked = send(mounting, "UTF-8''admin");
    host.close();
    host = null;
    RecordedRequest spaced = send(mounting, " admin ");

    assertThat(literal.header("X-Auth-Subject")).contains("UTF-8''admin%25E6%2597%25A5");
    assertThat(IdentityValues.decode(literal.header("X-Auth-Subject").orElseThrow())).isEqualTo("admin%E6%97%A5");
    assertThat(IdentityValues.decode(marked.header("X-Auth-Subject").orElseThrow())).isEqualTo("UTF-8''admin");
    assertThat(spaced.header("X-Auth-Subject")).contains("UTF-8''%20admin%20");
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "TOMCAT_SERVLET_H2"})
  void aPlainAsciiSubjectIsSentAsItIs(Mounting mounting) throws Exception {
    RecordedRequest received = send(mounting, "alice@example.com");

    assertThat(received.header("X-Auth-Subject")).contains("alice@example.com");
    assertThat(received.header("X-Auth-Scopes")).contains("alice@example.com read");
    assertThat(received.header("X-Greeting")).contains("hello alice@example.com");
  }
}
