package dev.portico.gateway.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.Chromium;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CORS as a real browser sees it: headless Chromium loads a page from one loopback origin
 * ({@code http://127.0.0.1:A}) whose script calls the gateway on another ({@code http://127.0.0.1:B}),
 * with and without credentials, and writes each outcome into the page; {@code --dump-dom} prints
 * it. The browser is found by {@link Chromium} ({@code CHROME_BIN} or {@code PATH}; {@code .ci/run}
 * installs Debian's {@code chromium}); without one the test is skipped, except in CI, where it fails.
 */
class CorsBrowserTest {
  private FakeUpstream upstream;
  private GatewayServer gateway;
  private Server pageServer;
  private ServerConnector pageConnector;
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();
  private volatile String html = "";

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start();
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      Content.Sink.write(resp, true, "{\"method\":\"" + r.method() + "\"}", cb);
    });
    pageServer = new Server();
    pageConnector = new ServerConnector(pageServer);
    pageConnector.setHost("127.0.0.1");
    pageConnector.setPort(0);
    pageServer.addConnector(pageConnector);
    pageServer.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        if (!"/page.html".equals(Request.getPathInContext(request))) {
          Response.writeError(request, response, callback, 404);
          return true;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        Content.Sink.write(response, true, html, callback);
        return true;
      }
    });
    pageServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    pageServer.stop();
    upstream.close();
  }

  @Test
  void browserOnAnotherOriginCallsTheGatewayAsThePolicySays(@TempDir Path profile) throws Exception {
    String pageOrigin = "http://127.0.0.1:" + pageConnector.getLocalPort();
    gateway = GatewayServer.builder().gateway(Gateway.builder()
        .accessLog(accessLog::add)
        .route("allowed", r -> r.path("/api/allowed").methods("GET", "PUT").permitAll()
            .cors(c -> c.allowOrigins(pageOrigin).allowMethods("GET", "PUT")
                .allowHeaders("Content-Type", "X-Api-Version").exposeHeaders("X-Request-Id"))
            .upstream(upstream.uri()))
        .route("credentials", r -> r.path("/api/credentials").methods("GET").permitAll()
            .cors(c -> c.allowOrigins(pageOrigin).allowCredentials())
            .upstream(upstream.uri()))
        .route("secured", r -> r.path("/api/secured").methods("GET")
            .authenticator(exchange -> CompletableFuture.completedFuture(AuthResult.noCredentials(Challenge.bearer("api"))))
            .cors(c -> c.allowOrigins(pageOrigin))
            .upstream(upstream.uri()))
        .route("limited", r -> r.path("/api/limited").methods("GET").permitAll()
            .rateLimiter(Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.clientIp()))
            .cors(c -> c.allowOrigins(pageOrigin))
            .upstream(upstream.uri()))
        .route("denied", r -> r.path("/api/denied").methods("GET", "PUT").permitAll()
            .cors(c -> c.allowOrigins("https://app.example.com").allowMethods("GET", "PUT").allowHeaders("Content-Type"))
            .upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
    String gatewayOrigin = "http://127.0.0.1:" + gateway.port();
    html = page(gatewayOrigin);

    Map<String, String> outcomes = runInChromium(pageOrigin + "/page.html", profile);
    System.out.println("Chromium, page " + pageOrigin + " calling gateway " + gatewayOrigin + ": " + outcomes);

    assertThat(outcomes).containsEntry("allowed-get", "ok 200 {\"method\":\"GET\"} id=yes")
        .containsEntry("allowed-put-with-preflight", "ok 200 {\"method\":\"PUT\"} id=yes")
        .containsEntry("allowed-without-allow-credentials", "fail TypeError")
        .containsEntry("credentials-include", "ok 200 {\"method\":\"GET\"} id=no")
        .containsEntry("secured-401-readable", "ok 401 problem")
        .containsEntry("secured-401-headers", "401 WWW-Authenticate=Bearer realm=\"api\" X-Request-Id=read")
        .containsEntry("limited-first", "ok 200 {\"method\":\"GET\"} id=no")
        .containsEntry("limited-429-headers",
            "429 Retry-After=read RateLimit=read RateLimit-Policy=\"default\";q=1;w=60 X-Request-Id=read")
        .containsEntry("allowed-delete-not-routed", "fail TypeError")
        .containsEntry("denied-get", "fail TypeError")
        .containsEntry("denied-put-preflight", "fail TypeError");
    Await.until("access log entries", () -> accessLog.size() >= 12);
    assertThat(accessLog).filteredOn(e -> e.method().equals("OPTIONS"))
        .extracting(e -> e.path() + " " + e.status() + " " + e.upstream().isPresent())
        .contains("/api/allowed 204 false", "/api/denied 403 false")
        .as("the DELETE preflight: a CORS refusal, not a 405").containsOnlyOnce("/api/allowed 403 false");
    assertThat(accessLog).filteredOn(e -> e.path().equals("/api/denied"))
        .extracting(AccessLogEntry::method).doesNotContain("PUT");
  }

  /** The page: runs each fetch in turn and writes "name=outcome" lines into #out, then #done. */
  private static String page(String gateway) {
    return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>cors</title></head><body>
        <pre id="out"></pre>
        <script>
        const B = '%s';
        async function attempt(name, url, options) {
          try {
            const r = await fetch(url, options);
            const body = await r.text();
            const shown = r.status === 401 ? (body.includes('unauthorized') ? 'problem' : body) : body;
            return name + '=ok ' + r.status + ' ' + shown + (r.status === 200 ? ' id=' + (r.headers.get('X-Request-Id') ? 'yes' : 'no') : '');
          } catch (e) {
            return name + '=fail ' + e.name;
          }
        }
        async function headers(name, url, names) {
          try {
            const r = await fetch(url);
            await r.text();
            return name + '=' + r.status + names.map(n => {
              const v = r.headers.get(n);
              return ' ' + n + '=' + (v === null ? 'hidden' : n === 'WWW-Authenticate' || n === 'RateLimit-Policy' ? v : 'read');
            }).join('');
          } catch (e) {
            return name + '=fail ' + e.name;
          }
        }
        (async () => {
          const lines = [];
          lines.push(await attempt('allowed-get', B + '/api/allowed'));
          lines.push(await attempt('allowed-put-with-preflight', B + '/api/allowed',
              {method: 'PUT', headers: {'Content-Type': 'application/json', 'X-Api-Version': '2'}, body: '{}'}));
          lines.push(await attempt('allowed-without-allow-credentials', B + '/api/allowed', {credentials: 'include'}));
          lines.push(await attempt('credentials-include', B + '/api/credentials', {credentials: 'include'}));
          lines.push(await attempt('secured-401-readable', B + '/api/secured'));
          lines.push(await headers('secured-401-headers', B + '/api/secured', ['WWW-Authenticate', 'X-Request-Id']));
          lines.push(await attempt('limited-first', B + '/api/limited'));
          lines.push(await headers('limited-429-headers', B + '/api/limited',
              ['Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id']));
          lines.push(await attempt('allowed-delete-not-routed', B + '/api/allowed', {method: 'DELETE'}));
          lines.push(await attempt('denied-get', B + '/api/denied'));
          lines.push(await attempt('denied-put-preflight', B + '/api/denied',
              {method: 'PUT', headers: {'Content-Type': 'application/json'}, body: '{}'}));
          document.getElementById('out').textContent = lines.join('\\n');
          document.body.appendChild(Object.assign(document.createElement('p'), {id: 'done', textContent: 'done'}));
        })();
        </script>
        </body></html>
        """.formatted(gateway);
  }

  /** Loads {@code url} in headless Chromium and returns the page's "name=outcome" lines. */
  private static Map<String, String> runInChromium(String url, Path profile) throws Exception {
    String chromium = Chromium.require().toString();
    Path output = profile.resolve("dom.html");
    Process process = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile.resolve("profile"), "--virtual-time-budget=10000",
        "--dump-dom", url)
        .redirectOutput(output.toFile())
        .redirectError(profile.resolve("chromium.log").toFile())
        .start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("Chromium did not finish within 90 s; its log:\n" + log(profile));
    }
    String dom = Files.readString(output, StandardCharsets.UTF_8);
    if (!dom.contains("id=\"done\"")) {
      fail("the page did not finish its fetches (exit " + process.exitValue() + "); DOM:\n" + dom + "\nlog:\n" + log(profile));
    }
    Matcher out = Pattern.compile("<pre id=\"out\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
    assertThat(out.find()).as("#out in the DOM:\n%s", dom).isTrue();
    Map<String, String> outcomes = new LinkedHashMap<>();
    for (String line : out.group(1).replace("&quot;", "\"").replace("&amp;", "&").split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        outcomes.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return outcomes;
  }

  private static String log(Path profile) {
    try {
      String log = Files.readString(profile.resolve("chromium.log"));
      return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
