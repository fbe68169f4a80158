package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 *   <li><b>Methods and media types</b>: a method in another case ({@code delete}) without a token
 *       never reaches the protected upstream; a request with two {@code Content-Type}s is refused
 *       with 400 and not forwarded.</li>
 *   <li><b>Forwarded and identity headers</b> from an untrusted client never reach the upstream as
 *       sent, the public route's included; a {@code Connection} header naming the identity headers
 *       does not remove those the gateway set; a subject a header cannot carry as it is (beyond
 *       ASCII, CR and LF) is never collapsed on its way upstream, nor answered with a 5xx.</li>
 *   <li><b>WebSocket handshakes</b> that are not valid (no, empty, short or two
 *       {@code Sec-WebSocket-Key}s, another version, HTTP/1.0), with and without a token: each
 *       answered at once, never 101 or 5xx, never forwarded as an upgrade.</li>
 *   <li><b>JWT</b>: expired, not yet valid, issued in the future, no expiry, wrong issuer or
 *       audience, tampered signature or payload, {@code alg: none} in any spelling, {@code crit},
 *       keys named or embedded in the token ({@code jku}, {@code x5u}, {@code jwk}), another key
 *       under a trusted {@code kid}, and algorithm confusion across every pair of RS256, ES256,
 *       EdDSA and HS256: each answered 401, none forwarded.</li>
 * </ul>
 *
 * <p>The gateway must be mounted at the root of {@link ConformanceTarget#baseUri()}, must treat
 * the suite's client ({@code 127.0.0.1}) as untrusted (not among its {@code trustedProxies}), and
 * its protected route must take GET, and {@link ConformanceTarget#bodyMethod()} with
 * {@link ConformanceTarget#body()} under {@link ConformanceTarget#bodyContentType()}. Each valid
 * token the suite sends is a subject of its own, so the gateway's real rate limits per subject
 * may stay on. A control request that is refused fails with what the status says about the
 * configuration; a check that cannot apply to the target is skipped with the reason. The suite
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

    assertThat(status).as(whyRefused("GET " + protectedPath(), status)).isBetween(200, 299);
    assertThat(forwardedSince(before)).as("requests the protected upstream received").hasSize(1);
  }

  /**
   * A WebSocket upgrade that is not a valid opening handshake (RFC 6455 section 4.2.1: a missing,
   * empty, short, malformed or doubled {@code Sec-WebSocket-Key}, another version, HTTP/1.0) is
   * answered, at once, never with 101 or a 500, 502, 503 or 504 (the gateway breaking on it, or
   * opening the upstream's WebSocket first), and never reaches the protected upstream as an
   * upgrade. Without a token it is refused with a 4xx and nothing reaches the upstream. (A route
   * that does not proxy WebSocket may forward the request with a token as a plain one, without
   * {@code Upgrade}.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badWebSocketHandshakes")
  public void aBadWebSocketHandshakeIsAnsweredAtOnceAndNeverReachesTheUpstreamAsAnUpgrade(String name, String raw,
      boolean withToken) throws Exception {
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), raw);

    List<String> forwarded = forwardedSince(before);
    assertThat(status).as("status for %s (-1: no answer within 10 s)", name)
        .isNotEqualTo(RawClient.NO_RESPONSE).isNotIn(101, 500, 502, 503, 504);
    assertThat(forwarded).as("requests the protected upstream received for %s", name)
        .allSatisfy(request -> assertThat(head(request)).doesNotContain("\r\nupgrade:"));
    if (!withToken) {
      assertThat(status).as("status for %s without a token", name).isBetween(400, 499);
      assertThat(forwarded).as("requests the protected upstream received for %s without a token", name).isEmpty();
    }
  }

  Stream<Arguments> badWebSocketHandshakes() {
    return WebSocketHandshakes.rows(protectedPath(), authority(), target().validToken(idp())).stream()
        .map(row -> Arguments.of(Named.of(row.toString(), row.name()), row.raw(), row.withToken()));
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
      // The route may rewrite the path (stripPrefix, rewritePath); the query goes as it came.
      assertThat(line).as("request line the upstream received").startsWith("GET /").endsWith(" HTTP/1.1");
      String forwardedTarget = line.substring("GET ".length(), line.length() - " HTTP/1.1".length());
      int mark = forwardedTarget.indexOf('?');
      assertThat(mark < 0 ? null : forwardedTarget.substring(mark + 1)).as("query in %s", line).isEqualTo(query);
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
      assertThat(status).as(whyRefused(target().bodyMethod() + " " + protectedPath() + " with a body", status)).isBetween(200, 299);
      assertThat(forwarded).as("the control request forwarded").singleElement().asString()
          .contains(SmugglingRequests.wire(target().body()));
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
    return SmugglingRequests.rows(target().bodyMethod(), protectedPath(), authority(), () -> target().validToken(idp()),
        target().bodyContentType().orElse(null), target().body()).stream()
        .map(row -> Arguments.of(row.name(), row.raw(), row.control()));
  }

  /**
   * A method spelled in another case ({@code delete}, {@code Post}) without a token never reaches
   * the protected upstream: methods are case-sensitive, so a route that protects {@code DELETE}
   * does not take {@code delete}, and an upstream client that upper-cases methods would forward it
   * as {@code DELETE} by another route. Refused (Portico: 501) or authenticated, never forwarded,
   * never 500, 502, 503 or 504.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methodSpellings")
  public void aMethodInAnotherCaseNeverReachesTheProtectedUpstreamWithoutAToken(String method) throws Exception {
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), method + " " + protectedPath() + " HTTP/1.1\r\nHost: " + authority()
        + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");

    assertThat(forwardedSince(before)).as("protected upstream received %s", method).isEmpty();
    assertThat(status).as("status for %s (500, 502, 503, 504: the gateway broke on it)", method)
        .isNotEqualTo(RawClient.NO_RESPONSE).isNotIn(500, 502, 503, 504);
  }

  Stream<String> methodSpellings() {
    return Stream.of(target().bodyMethod(), "GET", "POST", "PUT", "PATCH", "DELETE").distinct()
        .flatMap(m -> Stream.of(m.toLowerCase(Locale.ROOT), m.charAt(0) + m.substring(1).toLowerCase(Locale.ROOT)));
  }

  /**
   * A request with more than one {@code Content-Type}, as two fields or as a list in one, is
   * refused with 400 and not forwarded, even with a valid token: a body policy would read one media
   * type and the upstream might read another.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("contentTypeSpellings")
  public void twoContentTypesAreRefused400AndNeverForwarded(String name, String contentTypes) throws Exception {
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), target().bodyMethod() + " " + protectedPath() + " HTTP/1.1\r\nHost: "
        + authority() + "\r\nAuthorization: Bearer " + target().validToken(idp()) + "\r\n" + contentTypes
        + "Content-Length: 5\r\nConnection: close\r\n\r\nhello");

    assertThat(forwardedSince(before)).as("protected upstream received %s", name).isEmpty();
    assertThat(status).as("status for %s", name).isEqualTo(400);
  }

  Stream<Arguments> contentTypeSpellings() {
    return Stream.of(
        Arguments.of("two Content-Type fields", "Content-Type: text/plain\r\nContent-Type: application/json\r\n"),
        Arguments.of("two Content-Type fields, other case", "Content-Type: application/json\r\ncontent-type: text/plain\r\n"),
        Arguments.of("a Content-Type list", "Content-Type: text/plain, application/json\r\n"));
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

    assertThat(status).as(whyRefused("GET " + protectedPath(), status)).isBetween(200, 299);
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

    assertThat(status).as(whyRefused("GET " + protectedPath(), status)).isBetween(200, 299);
    List<String> forwarded = forwardedSince(before);
    assertThat(forwarded).hasSize(1);
    assertThat(head(forwarded.get(0))).as("upstream request head").doesNotContain("spoofed-identity-");
  }

  /**
   * Identity headers ({@link ConformanceTarget#identityHeaders()}) sent to the public prefix, in
   * any letter case, never reach the public upstream as sent: a route that forwards no identity
   * must not pass a forged one to a backend that trusts it. Skipped when the target names none.
   */
  @Test
  public void identityHeadersSentToThePublicPrefixNeverReachThePublicUpstream() throws Exception {
    Assumptions.assumeFalse(target().identityHeaders().isEmpty(), "the target names no identity headers");
    int before = publicUpstream().requestCount();

    int status = RawClient.untilClosed(base(), "GET " + target().publicPrefix() + "/x HTTP/1.1\r\nHost: " + authority()
        + "\r\n" + spoofedIdentityHeaders() + "Connection: close\r\n\r\n");

    assertThat(status).as("status for a request with forged identity headers").isNotIn(500, 502, 503, 504);
    List<RecordedRequest> received = publicUpstream().requests();
    for (RecordedRequest request : received.subList(Math.min(before, received.size()), received.size())) {
      for (Map.Entry<String, String> header : request.headers()) {
        assertThat(header.getValue()).as("header %s the public upstream received", header.getKey())
            .doesNotContain("spoofed-identity-");
      }
    }
  }

  /**
   * A client's {@code Connection} header naming the identity headers (RFC 9110 lets it name
   * fields for removal) removes only fields the client sent: the identity headers the protected
   * route sets for a valid token still reach the upstream, with the same values. Skipped when the
   * target names no identity headers.
   */
  @Test
  public void connectionNamingIdentityHeadersDoesNotRemoveWhatTheGatewaySet() throws Exception {
    Assumptions.assumeFalse(target().identityHeaders().isEmpty(), "the target names no identity headers");
    String request = "GET " + protectedPath() + " HTTP/1.1\r\nHost: " + authority()
        + "\r\nAuthorization: Bearer " + target().validToken(idp()) + "\r\n";
    int before = upstream().connections().size();
    int plain = RawClient.untilClosed(base(), request + "Connection: close\r\n\r\n");
    List<String> forwardedPlain = forwardedSince(before);
    Map<String, List<String>> set = identityFields(forwardedPlain);
    assertThat(plain).as("status for a valid token").isBetween(200, 299);
    assertThat(set).as("identity headers %s the protected route set for a valid token", target().identityHeaders())
        .isNotEmpty();
    before = upstream().connections().size();

    int named = RawClient.untilClosed(base(), request + "Connection: close, " + String.join(", ", target().identityHeaders())
        + "\r\n\r\n");

    assertThat(named).as("status for a valid token with Connection naming the identity headers").isBetween(200, 299);
    assertThat(identityFields(forwardedSince(before))).as("identity headers the upstream received").isEqualTo(set);
  }

  /**
   * A valid token whose subject a header cannot carry as it is (characters beyond ASCII, CR and LF)
   * is never answered with a 5xx, never splits the upstream request, and never reaches the upstream
   * collapsed: no identity header carries the subject cut, trimmed, with its other characters
   * replaced or dropped, or as Latin-1 bytes. (An encoding, or a refusal, passes.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("subjectsHeadersCannotCarry")
  public void aSubjectHeadersCannotCarryIsNeverCollapsedNorA500(String subject) throws Exception {
    int before = upstream().connections().size();

    int status = RawClient.untilClosed(base(), "GET " + protectedPath() + " HTTP/1.1\r\nHost: " + authority()
        + "\r\nAuthorization: Bearer " + target().tokenClaims(idp()).subject(subject).sign()
        + "\r\nConnection: close\r\n\r\n");

    assertThat(status).as("status for a valid token with subject %s", subject.replace("\r\n", "\\r\\n"))
        .isNotEqualTo(RawClient.NO_RESPONSE).isNotIn(500, 501, 502, 503, 504);
    List<String> forwarded = forwardedSince(before);
    Set<String> collapsed = collapsedForms(subject);
    for (String request : forwarded) {
      assertThat(head(request)).as("upstream request head").doesNotContain("\r\nx-injected:");
    }
    identityFields(forwarded).forEach((name, values) -> assertThat(values).as("values of %s", name)
        .noneMatch(value -> collapsed.contains(value.trim())));
  }

  Stream<Arguments> subjectsHeadersCannotCarry() {
    return Stream.of(
        Arguments.of(Named.of("beyond Latin-1: admin\u65E5", "admin\u65E5")),
        Arguments.of(Named.of("Latin-1: admin\u00E9", "admin\u00E9")),
        Arguments.of(Named.of("CR LF: admin\\r\\nX-Injected: yes", "admin\r\nX-Injected: yes")));
  }

  /** The forms a gateway that mangles {@code subject} on its way into a header would send (ISO-8859-1 text). */
  private static Set<String> collapsedForms(String subject) {
    Set<String> forms = new HashSet<>();
    int cut = 0;
    while (cut < subject.length() && subject.charAt(cut) > 0x20 && subject.charAt(cut) < 0x7F) {
      cut++;
    }
    forms.add(subject.substring(0, cut).trim());
    StringBuilder spaces = new StringBuilder();
    StringBuilder questions = new StringBuilder();
    StringBuilder dropped = new StringBuilder();
    StringBuilder latin1 = new StringBuilder();
    for (int i = 0; i < subject.length(); i++) {
      char c = subject.charAt(i);
      boolean visible = c >= 0x20 && c < 0x7F;
      spaces.append(visible ? c : ' ');
      questions.append(visible ? c : '?');
      if (visible) {
        dropped.append(c);
      }
      latin1.append(c <= 0xFF ? c : '?');
    }
    forms.add(spaces.toString().trim());
    forms.add(questions.toString().trim());
    forms.add(dropped.toString().trim());
    forms.add(latin1.toString().trim());
    return forms;
  }

  /** The client's copies of the target's identity headers, each in its own case, one per line. */
  private String spoofedIdentityHeaders() {
    StringBuilder spoofed = new StringBuilder();
    int i = 0;
    for (String name : target().identityHeaders()) {
      spoofed.append(name).append(": spoofed-identity-").append(i).append("\r\n");
      spoofed.append(name.toUpperCase(Locale.ROOT)).append(": spoofed-identity-").append(i).append("\r\n");
      spoofed.append(name.toLowerCase(Locale.ROOT)).append(": spoofed-identity-").append(i++).append("\r\n");
    }
    return spoofed.toString();
  }

  /** The target's identity headers in {@code forwarded} requests' heads: lower-case name to raw values, in order. */
  private Map<String, List<String>> identityFields(List<String> forwarded) {
    Map<String, List<String>> fields = new TreeMap<>();
    for (String request : forwarded) {
      int end = request.indexOf("\r\n\r\n");
      String[] lines = (end < 0 ? request : request.substring(0, end)).split("\r\n");
      for (int l = 1; l < lines.length; l++) {
        int colon = lines[l].indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = lines[l].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        if (target().identityHeaders().stream().anyMatch(name::equalsIgnoreCase)) {
          fields.computeIfAbsent(name, k -> new ArrayList<>()).add(lines[l].substring(colon + 1).trim());
        }
      }
    }
    return fields;
  }

  private FakeUpstream publicUpstream() {
    if (publicUpstream == null) {
      throw new IllegalStateException("the conformance fixtures are not started");
    }
    return publicUpstream;
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
    String answers = RawClient.readAll(base(), request + token + "\r\n\r\n" + request + other + "\r\nConnection: close\r\n\r\n");

    List<Integer> statuses = new ArrayList<>();
    // Status lines wherever they start: a body need not end with a line break.
    Matcher statusLine = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(answers);
    while (statusLine.find()) {
      statuses.add(Integer.parseInt(statusLine.group(1)));
    }
    assertThat(statuses).as("statuses on one connection: the valid token, then its other-case copy, in %s", answers)
        .hasSize(2);
    assertThat(statuses.get(0)).as(whyRefused("GET " + protectedPath(), statuses.get(0))).isBetween(200, 299);
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

  /**
   * The public prefix the path table climbs from lies outside the protected route: a request
   * under it without a token never reaches the protected upstream. When no route takes it, or it
   * needs credentials too, the path rows still run but start from a path that is not open; the
   * test is then skipped and says so.
   */
  @Test
  public void thePublicPrefixIsOutsideTheProtectedRoute() throws Exception {
    int before = upstream().connections().size();
    String path = target().publicPrefix() + "/x";

    int status = RawClient.untilClosed(base(), "GET " + path + " HTTP/1.1\r\nHost: " + authority() + "\r\nConnection: close\r\n\r\n");

    assertThat(forwardedSince(before)).as("requests the protected upstream received for GET %s without a token: the public "
        + "prefix must be outside the protected route (ConformanceTarget.publicPrefix)", path).isEmpty();
    Assumptions.assumeFalse(status == 404, () -> "no route takes GET " + path + " (404): the path rows climb from "
        + target().publicPrefix() + " all the same; name a route that is open without a token with "
        + "ConformanceTarget.builder().publicPrefix(..) for them to start where an attacker would");
    Assumptions.assumeFalse(status == 401 || status == 403, () -> "GET " + path + " needs credentials too (" + status
        + "): the path rows climb from " + target().publicPrefix() + " all the same; name a route that is open "
        + "without a token with ConformanceTarget.builder().publicPrefix(..), if the gateway has one");
    assertThat(status).as("status for GET %s without a token (500, 502, 503, 504: the gateway broke on it)", path)
        .isNotEqualTo(RawClient.NO_RESPONSE).isNotIn(500, 502, 503, 504);
  }

  /** Returns what the {@code status} of a control {@code request} says about the target's configuration. */
  private String whyRefused(String request, int status) {
    String hint = switch (status) {
      case 401 -> "the token was refused: the route's JwtAuthenticator must trust fixtures.identityProvider(), and "
          + "ConformanceTarget.validToken(..) must set the audience and claims it requires";
      case 403 -> "the token lacks what the route's access rules require: add the scopes, roles or claims in "
          + "ConformanceTarget.validToken(..)";
      case 404 -> "no route took it: ConformanceTarget.protectedPrefix must be a prefix the protected route takes";
      case 405 -> "the protected route does not take the method: it must take GET, and "
          + "ConformanceTarget.bodyMethod(..) with a body";
      case 400, 413, 422 -> "the route refused the request, its validation perhaps: set ConformanceTarget.body(..) "
          + "(and bodyContentType(..)) to a body it accepts";
      case 415 -> "the route refused the body's media type: set ConformanceTarget.bodyContentType(..) to one it "
          + "accepts, such as application/json";
      case 429 -> "the gateway rate-limited the suite: every valid token has a subject of its own (conformance-N), so a "
          + "limit per subject never trips; a limit keyed otherwise (client address, route, header, or a subject set "
          + "in validToken(..)) must let the suite through (see the Testing page: Rate limits)";
      case 502, 503, 504 -> "the upstream was not reached: the protected route must forward to "
          + "fixtures.protectedUpstreamUri()";
      default -> "the protected route must forward it to fixtures.protectedUpstreamUri()";
    };
    return "status " + status + " for " + request + " and a valid token: " + hint;
  }
}
