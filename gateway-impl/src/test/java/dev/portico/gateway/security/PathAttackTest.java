package dev.portico.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.testing.GatewayHost;
import dev.portico.gateway.testing.RawHttp;
import dev.portico.gateway.testing.TestUpstream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Raw request targets that try to reach a JWT-protected {@code /admin/**} route through a public
 * {@code /public/**} one, sent over a plain socket to a host that lets every URI through to the
 * gateway (permissive) and to one with Jetty's default URI compliance. None may reach the admin
 * upstream without a token. Each row records the status each host answers: 400 (Portico's
 * {@code bad-path} problem on the permissive host; Jetty's own 400 for what its default compliance
 * refuses first), 401 (the admin route, no token) or 200 (another handler answered: the host here
 * answers 200 to what no route takes, where a host without one would answer 404).
 */
class PathAttackTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final String ISSUER = "https://idp.test";
  private static final String AUDIENCE = "admin-api";

  private static TestUpstream admin;
  private static TestUpstream pub;
  private static JwtAuthenticator jwt;
  private static GatewayHost permissive;
  private static GatewayHost strict;

  @BeforeAll
  static void start() throws Exception {
    admin = TestUpstream.start();
    pub = TestUpstream.start();
    jwt = JwtAuthenticator.builder().hmacSecret(SECRET).issuer(ISSUER).audience(AUDIENCE).build();
    Gateway gateway = Gateway.builder()
        .route("public", r -> r.path("/public/**").upstream(pub.uri()))
        .route("admin", r -> r.path("/admin/**").authenticator(jwt).upstream(admin.uri()))
        .build();
    permissive = GatewayHost.start(gateway);
    strict = GatewayHost.start(gateway, false);
  }

  @AfterAll
  static void stop() throws Exception {
    permissive.close();
    strict.close();
    jwt.close();
    admin.close();
    pub.close();
  }

  static String token() throws Exception {
    Instant now = Instant.now();
    SignedJWT signed = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .issuer(ISSUER).audience(AUDIENCE).subject("root")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))).build());
    signed.sign(new MACSigner(SECRET));
    return signed.serialize();
  }

  /**
   * name, request line ({@code PORT} is replaced by the host's port), status on the permissive host,
   * status on Jetty's default host. 200 means a route other than admin (or the host) answered.
   */
  static Stream<Arguments> targets() {
    return Stream.of(
        row("plain admin, no token", "GET /admin/x", 401, 401),
        row("dot-segment", "GET /public/../admin/x", 401, 401),
        row("dot-segment, trailing", "GET /public/x/../../admin/x", 401, 401),
        row("single dot", "GET /public/./../admin/x", 401, 401),
        row("climb above root", "GET /../admin/x", 400, 400),
        row("encoded dots %2e%2e", "GET /public/%2e%2e/admin/x", 400, 400),
        row("encoded dots %2E%2E", "GET /public/%2E%2E/admin/x", 400, 400),
        row("half-encoded .%2e", "GET /public/.%2e/admin/x", 400, 400),
        row("half-encoded %2e.", "GET /public/%2e./admin/x", 400, 400),
        row("encoded single dot %2e", "GET /public/%2e/../admin/x", 400, 400),
        row("double-encoded %252e%252e", "GET /public/%252e%252e/admin/x", 400, 400),
        row("encoded slash %2f", "GET /public/..%2fadmin/x", 400, 400),
        row("encoded slash %2F", "GET /public/..%2Fadmin/x", 400, 400),
        row("double-encoded slash %252f", "GET /public/..%252fadmin/x", 400, 400),
        row("encoded backslash %5c", "GET /public/..%5cadmin/x", 400, 400),
        row("encoded backslash %5C", "GET /public/..%5Cadmin/x", 400, 400),
        row("double-encoded backslash %255c", "GET /public/..%255cadmin/x", 400, 400),
        row("raw backslash", "GET /public/..\\admin/x", 400, 400),
        row("path parameter ..;/", "GET /public/..;/admin/x", 400, 400),
        row("path parameter ;x=1", "GET /admin;x=1/x", 400, 400),
        row("path parameter on public", "GET /public;x=1/../admin/x", 400, 400),
        row("overlong dot %c0%ae", "GET /public/%c0%ae%c0%ae/admin/x", 400, 400),
        row("overlong slash %c0%af", "GET /public/..%c0%afadmin/x", 400, 400),
        row("overlong 3-byte dot %e0%80%ae", "GET /public/%e0%80%ae%e0%80%ae/admin/x", 400, 400),
        row("NUL %00", "GET /public/%00/../admin/x", 400, 400),
        row("NUL before admin", "GET /admin%00/x", 400, 400),
        row("double slash", "GET //admin/x", 401, 400),
        row("absolute-form", "GET http://127.0.0.1:PORT/admin/x", 401, 401),
        row("absolute-form, dot-segment", "GET http://127.0.0.1:PORT/public/../admin/x", 401, 401),
        row("absolute-form, other host", "GET http://evil.example/admin/x", 400, 400),
        row("authority-form CONNECT", "CONNECT 127.0.0.1:443", 400, 400),
        row("authority-form CONNECT admin", "CONNECT admin:443", 400, 400),
        row("asterisk-form", "OPTIONS *", 400, 400),
        row("case: /ADMIN", "GET /ADMIN/x", 200, 200),
        row("encoded letter %61dmin", "GET /%61dmin/x", 401, 401));
  }

  private static Arguments row(String name, String requestLine, int permissiveStatus, int strictStatus) {
    return Arguments.of(name, requestLine, permissiveStatus, strictStatus);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("targets")
  void neverReachesAdminWithoutAToken(String name, String requestLine, int permissiveStatus, int strictStatus) throws Exception {
    int gotPermissive = send(permissive, requestLine);
    int gotStrict = send(strict, requestLine);

    assertThat(admin.poll()).as("admin upstream received %s", requestLine).isNull();
    assertThat(new int[] {gotPermissive, gotStrict}).as(name).containsExactly(permissiveStatus, strictStatus);
  }

  @Test
  void aValidTokenReachesAdmin() throws Exception {
    String request = "GET /admin/x HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token()
        + "\r\nConnection: close\r\n\r\n";

    assertThat(RawHttp.exchange(permissive.port(), request).status()).isEqualTo(200);
    assertThat(admin.take().pathQuery()).isEqualTo("/admin/x");
  }

  private static int send(GatewayHost host, String requestLine) throws Exception {
    String line = requestLine.replace("PORT", Integer.toString(host.port()));
    return statusOf(host.port(), line + " HTTP/1.1\r\nHost: 127.0.0.1:" + host.port() + "\r\nConnection: close\r\n\r\n");
  }

  /** Sends {@code raw} and reads only the status line (a CONNECT answer may leave the connection open). */
  static int statusOf(int port, String raw) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        line.append((char) c);
      }
      String text = line.toString();
      return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
    }
  }
}
