package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The security conformance suite, for a host to run against its own gateway in one JUnit 5 test
 * class: subclass it, start the gateway in {@link #start} with its JWT-protected route in front of
 * the suite's recording upstream, and the suite sends every row of its attack tables over raw
 * sockets, so no client normalizes an attack first.
 *
 * <pre>{@code
 * class OurGatewayConformanceTest extends GatewaySecurityConformance {
 *   @Override
 *   protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
 *     JwtAuthenticator jwt = JwtAuthenticator.builder()
 *         .issuer(fixtures.identityProvider().issuer()).audience("admin-api").build();
 *     GatewayServer server = GatewayServer.start(OurGateway.build(jwt, fixtures.protectedUpstreamUri()));
 *     return ConformanceTarget.builder()
 *         .baseUri(server.baseUri()).protectedPrefix("/admin")
 *         .validToken(t -> t.audience("admin-api"))
 *         .closeAfter(server, jwt)
 *         .build();
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks:
 * <ul>
 *   <li><b>Paths</b>: dot-segments, encoded dot-segments in every case and half-encoded form,
 *       double-encoded dots, letters, slashes and backslashes, encoded control characters
 *       ({@code ..%09}), {@code ;} path parameters, overlong UTF-8, NUL, leading {@code //},
 *       absolute-form, authority-form ({@code CONNECT}) and asterisk-form targets:
 *       none reaches the protected upstream without a token; each is answered 4xx (or, for another
 *       spelling of a path or a target that is no path, by whoever owns it), never 500, 502, 503
 *       or 504 (the gateway breaking on it).</li>
 *   <li><b>Queries</b>: with a valid token, the query reaches the upstream byte for byte
 *       ({@code +}, {@code ;}, {@code %FF}, {@code %00}, empty, a {@code ?} inside), or, when it
 *       is not valid RFC 3986 (a raw byte 0xFF, {@code %zz}), is refused with a 4xx.</li>
 *   <li><b>Request smuggling</b>: Content-Length with Transfer-Encoding, duplicate and malformed
 *       Content-Length, obfuscated Transfer-Encoding, bare LF and CR, header folding, requests
 *       pipelined behind a body: whatever reaches the upstream is exactly one well-formed request
 *       and never the hidden one.</li>
 *   <li><b>Forwarded and identity headers</b> from an untrusted client never reach the upstream as
 *       sent.</li>
 *   <li><b>JWT</b>: expired, not yet valid, issued in the future, no expiry, wrong issuer or
 *       audience, tampered signature or payload, {@code alg: none} in any spelling, {@code crit},
 *       keys named or embedded in the token ({@code jku}, {@code x5u}, {@code jwk}), another key
 *       under a trusted {@code kid}, and algorithm confusion across every pair of RS256, ES256,
 *       EdDSA and HS256: each answered 401, none forwarded.</li>
 * </ul>
 *
 * <p>The gateway must be mounted at the root of {@link ConformanceTarget#baseUri()}, must treat
 * the suite's client ({@code 127.0.0.1}) as untrusted (not among its {@code trustedProxies}), and
 * its protected route must take {@link ConformanceTarget#bodyMethod()} with a body. The suite
 * starts everything once per class and runs its tests one at a time, also where JUnit runs tests
 * in parallel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.SAME_THREAD)      // each test counts what the one upstream received
public abstract class GatewaySecurityConformance {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private @Nullable FakeIdentityProvider identityProvider;
  private @Nullable RawUpstream protectedUpstream;
  private @Nullable FakeUpstream publicUpstream;
  private @Nullable ConformanceTarget target;

  /** For subclasses. */
  protected GatewaySecurityConformance() {}

  /**
   * Starts the gateway under test: its JWT-protected route must trust
   * {@link ConformanceFixtures#identityProvider()} and forward to
   * {@link ConformanceFixtures#protectedUpstreamUri()}. Called once, before the first test.
   *
   * @return where the gateway listens and what it protects
   * @throws Exception if the gateway cannot start
   */
  protected abstract ConformanceTarget start(ConformanceFixtures fixtures) throws Exception;

  /**
   * Returns the status this gateway is known to answer {@code requestLine} with (a row of the path
   * table, {@code AUTHORITY} standing for the gateway's host and port), to pin it on top of the
   * suite's rule; empty, the default, checks the rule only. Portico's own tests pin Jetty's answers.
   */
  protected Optional<Integer> pathAttackStatus(String requestLine) {
    return Optional.empty();
  }

  /**
   * Returns the status this gateway is known to answer the smuggling row named {@code name} with
   * ({@code -1}: it closes the connection without a response), to pin it on top of the suite's
   * rule; empty, the default, checks the rule only.
   */
  protected Optional<Integer> smugglingStatus(String name) {
    return Optional.empty();
  }

  /** Returns the algorithm valid tokens are signed with (default RS256); HS256 for a gateway keyed with the secret. */
  protected TokenAlgorithm tokenAlgorithm() {
    return TokenAlgorithm.RS256;
  }

  @BeforeAll
  final void startConformanceFixtures() throws Exception {
    identityProvider = FakeIdentityProvider.builder().algorithm(tokenAlgorithm()).start();
    protectedUpstream = RawUpstream.start();
    publicUpstream = FakeUpstream.start();
    target = start(new ConformanceFixtures(identityProvider, protectedUpstream, publicUpstream));
    if (target == null) {
      throw new IllegalStateException(getClass().getName() + ".start returned null (expected: a ConformanceTarget)");
    }
  }

  @AfterAll
  final void stopConformanceFixtures() throws Exception {
    Exception failure = null;
    List<AutoCloseable> resources = new ArrayList<>();
    if (target != null) {
      resources.addAll(target.closeAfter());
      Collections.reverse(resources);
    }
    resources.add(publicUpstream);
    resources.add(protectedUpstream);
    resources.add(identityProvider);
    for (AutoCloseable resource : resources) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The control: a valid token reaches the protected upstream, so the refusals below mean something. */
  @Test
  public void aValidTokenReachesTheProtectedUpstream() throws Exception {
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), "GET " + protectedPath() + " HTTP/1.1\r\nHost: " + authority()
        + "\r\nAuthorization: Bearer " + target().validToken(idp()) + "\r\nConnection: close\r\n\r\n");

    assertThat(status).as("status for a valid token on %s (is the route's upstream fixtures.protectedUpstreamUri()?)",
        protectedPath()).isBetween(200, 299);
    assertThat(forwardedSince(before)).as("requests the protected upstream received").hasSize(1);
  }

  /**
   * A path attack never reaches the protected upstream without a token, and is refused with a 4xx
   * (or, for another spelling of a path or a target that is no path, answered by whoever owns it),
   * never 500, 502, 503 or 504.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pathAttacks")
  public void pathAttackNeverReachesTheProtectedUpstreamWithoutAToken(String requestLine, boolean elsewhere) throws Exception {
    int before = upstream().connections().size();
    String line = requestLine.replace("AUTHORITY", authority());

    int status = RawClient.statusLine(base(), line + " HTTP/1.1\r\nHost: " + authority() + "\r\nConnection: close\r\n\r\n");

    assertThat(forwardedSince(before)).as("protected upstream received %s", line).isEmpty();
    Optional<Integer> pinned = pathAttackStatus(requestLine);
    if (pinned.isPresent()) {
      assertThat(status).as("status for %s", line).isEqualTo(pinned.get());
    }
    if (elsewhere) {
      assertThat(status).as("status for %s", line).isNotEqualTo(RawClient.NO_RESPONSE).isNotIn(500, 502, 503, 504);
    } else {
      assertThat(status).as("status for %s", line).isBetween(400, 499);
    }
  }

  Stream<Arguments> pathAttacks() {
    return PathAttacks.rows(target().publicPrefix(), target().protectedPrefix()).stream()
        .map(row -> Arguments.of(Named.of(row.toString(), row.requestLine()), row.outcome() == PathAttacks.Outcome.ELSEWHERE));
  }

  /**
   * With a valid token, the query reaches the protected upstream byte for byte: not decoded, not
   * re-encoded, nothing added or dropped ({@code +}, {@code ;}, {@code %FF}, {@code %00}, an
   * empty query, a {@code ?} inside it). A query that is not valid RFC 3986 (a raw byte 0xFF,
   * {@code %zz}) may instead be refused with a 4xx, and then reaches nothing; it is never altered.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("queries")
  public void queryReachesTheUpstreamByteForByteOrIsRefused(String query, boolean mustForward) throws Exception {
    int before = upstream().connections().size();
    String target = protectedPath() + "?" + query;

    int status = RawClient.untilClosed(base(), "GET " + target + " HTTP/1.1\r\nHost: " + authority()
        + "\r\nAuthorization: Bearer " + target().validToken(idp()) + "\r\nConnection: close\r\n\r\n");

    List<String> forwarded = forwardedSince(before);
    if (mustForward || !forwarded.isEmpty()) {
      assertThat(status).as("status for ?%s", query).isBetween(200, 299);
      assertThat(forwarded).as("requests the protected upstream received").hasSize(1);
      String line = forwarded.get(0).substring(0, Math.max(0, forwarded.get(0).indexOf("\r\n")));
      assertThat(line).as("request line the upstream received").isEqualTo("GET " + target + " HTTP/1.1");
    } else {
      assertThat(status).as("status for ?%s, refused", query).isBetween(400, 499);
    }
  }

  Stream<Arguments> queries() {
    return PathAttacks.queries().stream().map(row -> Arguments.of(Named.of(row.toString(), row.query()), row.mustForward()));
  }

  /**
   * A message with ambiguous framing is refused or normalized: whatever reaches the upstream is
   * exactly one well-formed request, and a request hidden behind its body never arrives. The plain
   * chunked and Content-Length controls must arrive.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("smugglingRequests")
  public void ambiguousFramingIsNeverForwardedAmbiguously(String name, String raw, boolean control) throws Exception {
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), raw);

    List<String> forwarded = forwardedSince(before);
    assertThat(forwarded).as("requests forwarded (status %s)", status).hasSizeLessThanOrEqualTo(1);
    for (String request : forwarded) {
      SmugglingRequests.assertWellFormedSingleRequest(request);
      assertThat(request).as("forwarded bytes").doesNotContain(SmugglingRequests.SMUGGLED_PATH);
    }
    if (control) {
      assertThat(status).as("status of a plain %s with a body on %s", target().bodyMethod(), protectedPath()).isBetween(200, 299);
      assertThat(forwarded).as("the control request forwarded").singleElement().asString().contains("hello");
    } else {
      assertThat(status).as("status (500, 502, 503, 504: the gateway broke on it)").isNotIn(500, 502, 503, 504);
      if (forwarded.isEmpty()) {
        assertThat(status).as("status of a message nothing was forwarded for").isNotIn(200, 201, 202, 204);
      }
    }
    Optional<Integer> pinned = smugglingStatus(name);
    if (pinned.isPresent()) {
      assertThat(status).as("status for %s", name).isEqualTo(pinned.get());
    }
  }

  Stream<Arguments> smugglingRequests() {
    return SmugglingRequests.rows(target().bodyMethod(), protectedPath(), authority(), target().validToken(idp())).stream()
        .map(row -> Arguments.of(row.name(), row.raw(), row.control()));
  }

  /**
   * {@code X-Forwarded-*}, {@code Forwarded} and other proxies' client-address headers
   * ({@code X-Real-IP}, {@code True-Client-IP}, {@code CF-Connecting-IP}) sent by an untrusted
   * client never reach the upstream as sent.
   */
  @Test
  public void forwardingHeadersFromAnUntrustedClientNeverReachTheUpstreamAsSent() throws Exception {
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), "GET " + protectedPath() + " HTTP/1.1\r\nHost: " + authority()
        + "\r\nAuthorization: Bearer " + target().validToken(idp())
        + "\r\nX-Forwarded-For: 10.66.77.88\r\nX-Forwarded-Host: spoofed.internal\r\nX-Forwarded-Proto: spoofedproto"
        + "\r\nX-Forwarded-Port: 6543\r\nX-Forwarded-Prefix: /spoofed-prefix\r\nForwarded: for=10.66.77.88;host=spoofed.internal;proto=https"
        + "\r\nX-Real-IP: 10.66.77.88\r\nTrue-Client-IP: 10.66.77.88\r\nCF-Connecting-IP: 10.66.77.88"
        + "\r\nConnection: close\r\n\r\n");

    assertThat(status).isBetween(200, 299);
    List<String> forwarded = forwardedSince(before);
    assertThat(forwarded).hasSize(1);
    String head = head(forwarded.get(0));
    assertThat(head).as("upstream request head").doesNotContain("10.66.77.88").doesNotContain("spoofed.internal")
        .doesNotContain("spoofedproto").doesNotContain("6543").doesNotContain("spoofed-prefix");
  }

  /**
   * Identity headers the protected route sets ({@link ConformanceTarget#identityHeaders()}) never
   * pass from the client, in any letter case; skipped when the target names none.
   */
  @Test
  public void identityHeadersFromTheClientNeverReachTheUpstream() throws Exception {
    Assumptions.assumeFalse(target().identityHeaders().isEmpty(), "the target names no identity headers");
    StringBuilder spoofed = new StringBuilder();
    int i = 0;
    for (String name : target().identityHeaders()) {
      spoofed.append(name).append(": spoofed-identity-").append(i).append("\r\n");
      spoofed.append(name.toUpperCase(Locale.ROOT)).append(": spoofed-identity-").append(i).append("\r\n");
      spoofed.append(name.toLowerCase(Locale.ROOT)).append(": spoofed-identity-").append(i++).append("\r\n");
    }
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), "GET " + protectedPath() + " HTTP/1.1\r\nHost: " + authority()
        + "\r\nAuthorization: Bearer " + target().validToken(idp()) + "\r\n" + spoofed + "Connection: close\r\n\r\n");

    assertThat(status).isBetween(200, 299);
    List<String> forwarded = forwardedSince(before);
    assertThat(forwarded).hasSize(1);
    assertThat(head(forwarded.get(0))).as("upstream request head").doesNotContain("spoofed-identity-");
  }

  /**
   * A copy of a valid token with one letter of its signature in the other case is another token:
   * sent after the valid one on the same connection, it is answered 401 and not forwarded. (Jetty's
   * per-connection header cache, left to match ignoring case, hands the gateway the earlier token.)
   */
  @Test
  public void aTokenWithOneLetterInAnotherCaseIsRefusedOnTheSameConnection() throws Exception {
    String token = target().validToken(idp());
    int letter = token.lastIndexOf('.') + 1;
    while (letter < token.length() && !Character.isLowerCase(token.charAt(letter))) {
      letter++;
    }
    assertThat(letter).as("a lower-case letter in the signature of %s", token).isLessThan(token.length());
    String other = token.substring(0, letter) + Character.toUpperCase(token.charAt(letter)) + token.substring(letter + 1);
    int before = upstream().connections().size();

    String request = "GET " + protectedPath() + " HTTP/1.1\r\nHost: " + authority() + "\r\nAuthorization: Bearer ";
    String answers = RawClient.exchange(base(), request + token + "\r\n\r\n" + request + other + "\r\nConnection: close\r\n\r\n");

    List<Integer> statuses = new ArrayList<>();
    // Status lines wherever they start: a body need not end with a line break.
    Matcher statusLine = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(answers);
    while (statusLine.find()) {
      statuses.add(Integer.parseInt(statusLine.group(1)));
    }
    assertThat(statuses).as("statuses on one connection: the valid token, then its other-case copy, in %s", answers)
        .hasSize(2);
    assertThat(statuses.get(0)).as("the valid token").isBetween(200, 299);
    assertThat(statuses.get(1)).as("the copy with one letter in another case").isEqualTo(401);
    assertThat(forwardedSince(before)).as("requests the protected upstream received").hasSize(1);
  }

  /** Each bad token is answered 401 and never forwarded. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badTokens")
  public void badTokenIsAnswered401AndNeverForwarded(String token) throws Exception {
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), "GET " + protectedPath() + " HTTP/1.1\r\nHost: " + authority()
        + "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");

    assertThat(forwardedSince(before)).as("requests forwarded").isEmpty();
    assertThat(status).isEqualTo(401);
  }

  Stream<Arguments> badTokens() throws Exception {
    return JwtAttacks.rows(idp(), target()).stream().map(row -> Arguments.of(Named.of(row.name(), row.token())));
  }

  /** Keys a token points to ({@code jku}, {@code x5u}) are never fetched, and such a token is answered 401. */
  @Test
  public void keysTheTokenPointsToAreNeverFetched() throws Exception {
    try (FakeIdentityProvider attacker = FakeIdentityProvider.builder().issuer(idp().issuer()).start()) {
      int before = upstream().connections().size();
      String token = FakeIdentityProvider.sign(attacker.key(TokenAlgorithm.RS256),
          new JWSHeader.Builder(JWSAlgorithm.RS256)
              .keyID(attacker.keyId(TokenAlgorithm.RS256))
              .jwkURL(URI.create(attacker.jwksUri())).x509CertURL(URI.create(attacker.jwksUri())).build(),
          target().tokenClaims(idp()).claimsSet());

      int status = RawClient.untilClosed(base(), "GET " + protectedPath() + " HTTP/1.1\r\nHost: " + authority()
          + "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");

      assertThat(status).isEqualTo(401);
      assertThat(forwardedSince(before)).isEmpty();
      assertThat(attacker.jwksRequests() + attacker.discoveryRequests()).as("requests to the keys the token named").isZero();
    }
  }

  /** Waits for the upstream's connections to finish and returns what those opened since {@code before} carried. */
  private List<String> forwardedSince(int before) throws InterruptedException {
    upstream().awaitIdle(WAIT);
    List<String> all = upstream().connections();
    return all.subList(before, all.size()).stream().filter(c -> !c.isEmpty()).toList();
  }

  private static String head(String request) {
    int end = request.indexOf("\r\n\r\n");
    return (end < 0 ? request : request.substring(0, end)).toLowerCase(Locale.ROOT);
  }

  private String protectedPath() {
    return target().protectedPrefix() + "/x";
  }

  private URI base() {
    return target().baseUri();
  }

  private String authority() {
    return base().getRawAuthority();
  }

  private ConformanceTarget target() {
    if (target == null) {
      throw new IllegalStateException("the conformance target is not started");
    }
    return target;
  }

  private FakeIdentityProvider idp() {
    if (identityProvider == null) {
      throw new IllegalStateException("the conformance fixtures are not started");
    }
    return identityProvider;
  }

  private RawUpstream upstream() {
    if (protectedUpstream == null) {
      throw new IllegalStateException("the conformance fixtures are not started");
    }
    return protectedUpstream;
  }
}
