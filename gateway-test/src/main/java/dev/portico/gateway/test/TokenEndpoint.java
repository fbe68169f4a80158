package dev.portico.gateway.test;

import java.time.Duration;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * {@code POST /token} of a {@link FakeIdentityProvider} run for local development: mints a token
 * for whoever asks, with no client authentication at all. On only when the provider's builder
 * asks for it. Not public API.
 *
 * <p>Form fields: {@code sub} (required), {@code scope} (space-separated), {@code aud} (the
 * provider's default audience if absent), {@code expires_in} (seconds, default 300). The answer is
 * the compact token as bare text, so that {@code TOKEN=$(curl -s -d sub=alice .../token)} works.
 */
final class TokenEndpoint {
  static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
  private static final Duration MAX_LIFETIME = Duration.ofDays(1);
  private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9._@:|-]{1,128}");
  private static final Pattern AUDIENCE = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9:._/-]{1,64}( [A-Za-z0-9:._/-]{1,64}){0,31}");
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,6}");

  private final FakeIdentityProvider idp;
  private final String audience;

  TokenEndpoint(FakeIdentityProvider idp, String audience) {
    this.idp = idp;
    this.audience = audience;
  }

  /** Returns the audience of the tokens whose form names none. */
  String audience() {
    return audience;
  }

  /** Answers a request to the endpoint: 405 unless POST, else the token or 400 once the form is read. */
  void handle(Request request, Response response, Callback callback) {
    if (!request.getMethod().equals("POST")) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      text(response, callback, 405, "POST form fields sub, and optionally scope, aud, expires_in\n");
      return;
    }
    // Reads the form without blocking; signing is quick CPU work, fine on the thread that completes it.
    FormFields.onFields(request, Promise.Invocable.from(InvocationType.NON_BLOCKING,
        fields -> answer(fields, response, callback),
        failure -> text(response, callback, 400, "expected a form (application/x-www-form-urlencoded)\n")));
  }

  private void answer(Fields fields, Response response, Callback callback) {
    String subject = fields.getValue("sub");
    String scope = fields.getValue("scope");
    String aud = fields.getValue("aud");
    String expiresIn = fields.getValue("expires_in");
    String problem = subject == null ? "sub is missing"
        : !SUBJECT.matcher(subject).matches() ? "sub: expected 1 to 128 letters, digits or ._@:|-"
        : scope != null && !scope.isEmpty() && !SCOPE.matcher(scope).matches() ? "scope: expected space-separated names"
        : aud != null && !AUDIENCE.matcher(aud).matches() ? "aud: expected letters, digits or ._:/-"
        : expiresIn != null && !lifetimeOk(expiresIn) ? "expires_in: expected seconds, 1 to " + MAX_LIFETIME.toSeconds()
        : null;
    if (problem != null) {
      text(response, callback, 400, problem + "\n");
      return;
    }
    FakeIdentityProvider.TokenBuilder token = idp.token().subject(subject).audience(aud != null ? aud : audience)
        .expiresIn(expiresIn != null ? Duration.ofSeconds(Long.parseLong(expiresIn)) : DEFAULT_LIFETIME);
    if (scope != null && !scope.isEmpty()) {
      token.claim("scope", scope);
    }
    text(response, callback, 200, token.sign() + "\n");
  }

  private static boolean lifetimeOk(String seconds) {
    return SECONDS.matcher(seconds).matches() && Long.parseLong(seconds) >= 1 && Long.parseLong(seconds) <= MAX_LIFETIME.toSeconds();
  }

  private static void text(Response response, Callback callback, int status, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Content.Sink.write(response, true, body, callback);
  }
}
