package dev.portico.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.test.RawUpstream;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.testing.TestAuthenticator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gateway mounted under the context path {@code /c3} on every adapter, with an authenticated
 * {@code /admin/**} route and a catch-all {@code /**} in front of an upstream that records the
 * bytes it receives. However a client spells the context path ({@code //c3}, {@code /%63%33},
 * {@code /c3;x=y}, ...), the gateway routes on the path the host dispatched below it: the admin
 * route's authentication is never skipped, and the upstream gets the path without the context.
 */
class ContextPathSpellingTest {
  private static final String CONTEXT = "/c3";

  /** Spellings of {@code /c3/admin/x}: the context path written every way a host might accept, and the path below it too. */
  private static final List<String> ADMIN = List.of(
      "/c3/admin/x", "//c3/admin/x", "///c3/admin/x", "/./c3/admin/x", "/x/../c3/admin/x", "/c3/../c3/admin/x",
      "/%63%33/admin/x", "/c%33/admin/x", "/c3;x=y/admin/x", "/%63%33;x=y/admin/x", "/c3/./admin/x",
      "/c3//admin/x", "/c3/public/../admin/x", "/c3/%61dmin/x", "/C3/admin/x", "/c3%2Fadmin/x",
      "http://127.0.0.1/c3/admin/x", "http://127.0.0.1//c3/admin/x");

  private RawUpstream upstream;
  private int seen;
  private Mounting.Running host;

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** Each adapter with its host's defaults, and the core handler once more with Jetty letting every URI through. */
  static List<Arguments> mountings() {
    return List.of(arguments(Mounting.JETTY_HANDLER, false), arguments(Mounting.JETTY_HANDLER, true),
        arguments(Mounting.JETTY_SERVLET, false), arguments(Mounting.TOMCAT_SERVLET, false));
  }

  /** The request line of the next connection the upstream finished (without CRLF), or null when none came. */
  private @Nullable String nextRequestLine() throws InterruptedException {
    List<String> received = upstream.awaitIdle(Duration.ofSeconds(10));
    if (received.size() <= seen) {
      return null;
    }
    String connection = received.get(seen++);
    int end = connection.indexOf('\n');
    String line = end < 0 ? connection : connection.substring(0, end);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  private void mount(Mounting mounting, boolean permissiveUris) throws Exception {
    upstream = RawUpstream.start();
    seen = 0;
    host = mounting.start(Gateway.builder()
        .route("admin", r -> r.path("/admin/**").authenticator(new TestAuthenticator()).upstream(upstream.uri()))
        .route("rest", r -> r.path("/**").upstream(upstream.uri()))
        .build(), Mounting.Options.DEFAULTS.withContextPath(CONTEXT).withPermissiveUris(permissiveUris)
            .withWebSocket(false));
  }

  /**
   * Whatever the host does with a spelling (dispatch it to the context, refuse it, not find the
   * context), the admin path without credentials never reaches the upstream, and when the
   * gateway takes it, the admin route answers 401.
   */
  @ParameterizedTest
  @MethodSource("mountings")
  void aSpelledContextPathNeverSkipsTheProtectedRoute(Mounting mounting, boolean permissiveUris) throws Exception {
    mount(mounting, permissiveUris);
    Map<String, Integer> statuses = new LinkedHashMap<>();

    for (String target : ADMIN) {
      RawClient.Response response = RawClient.send(host.port(), target);
      statuses.put(target, response.status());
      assertThat(nextRequestLine()).as("upstream received %s", target).isNull();
      if (response.text().contains("application/problem+json")) {
        assertThat(response.status()).as("the gateway's answer to %s", target).isIn(400, 401);
      }
    }

    // The host dispatches every spelling of the context it accepts to the gateway, which asks for credentials.
    Map<String, Integer> expected = new LinkedHashMap<>();
    for (String target : ADMIN) {
      expected.put(target, expectedStatus(mounting, permissiveUris, target));
    }
    assertThat(statuses).isEqualTo(expected);
  }

  /** 401 from the admin route, or the host's own answer where it refuses a spelling or finds no context. */
  private static int expectedStatus(Mounting mounting, boolean permissiveUris, String target) {
    boolean jettyCompliance = !permissiveUris && mounting != Mounting.TOMCAT_SERVLET;
    if (target.equals("/C3/admin/x")) {
      return 404;   // context paths are case-sensitive on every host
    }
    if (target.equals("/c3%2Fadmin/x")) {
      return permissiveUris ? 404 : 400;
    }
    boolean emptySegment = target.contains("//c3") || target.contains("c3//");
    if (emptySegment && jettyCompliance) {
      return 400;   // Jetty's default URI compliance refuses empty segments
    }
    if (target.startsWith("//") || target.startsWith("http://127.0.0.1//")) {
      // A permissive Jetty looks for the context at "//c3" and finds none; Tomcat folds the slashes.
      return mounting == Mounting.TOMCAT_SERVLET ? 401 : 404;
    }
    return 401;
  }

  @ParameterizedTest
  @MethodSource("mountings")
  void aSpelledContextPathIsLeftOutOfThePathSentUpstream(Mounting mounting, boolean permissiveUris) throws Exception {
    mount(mounting, permissiveUris);

    for (String target : List.of("/c3/public/x", "/%63%33/public/x", "/c3;x=y/public/x", "/./c3/public/x",
        "/x/../c3/public/x")) {
      RawClient.Response response = RawClient.send(host.port(), target + "?q=1");

      assertThat(response.status()).as("status for %s", target).isEqualTo(200);
      String line = nextRequestLine();
      assertThat(line).as("upstream request for %s", target).isNotNull();
      assertThat(line).as("upstream request for %s", target).isEqualTo("GET /public/x?q=1 HTTP/1.1");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = "TOMCAT_SERVLET")
  void leadingSlashesOnTheContextPathReachTheProtectedRouteWithCredentials(Mounting mounting) throws Exception {
    mount(mounting, false);

    RawClient.Response response = RawClient.exchange(host.port(), "GET //c3/admin/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Test reader\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(nextRequestLine()).isEqualTo("GET /admin/x HTTP/1.1");
  }
}
