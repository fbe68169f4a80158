package dev.portico.gateway.auth.jwt;

import dev.portico.gateway.HttpHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a request carries its token: the {@code Authorization: Bearer} header (RFC 6750 2.1), a
 * header of its own holding the bare token, or a cookie. A request that carries it ambiguously
 * (two {@code Authorization} headers, two cookies of the name) is refused, never guessed at.
 */
abstract class TokenLocation {

  /**
   * Returns the token, or null when the request carries none of this kind.
   *
   * @throws TokenRejected with {@code invalid_request} when the carrier is duplicated or malformed
   */
  abstract @Nullable String find(HttpHeaders headers) throws TokenRejected;

  /** What user-facing docs call this location, for {@code toString()}. */
  abstract String describe();

  static TokenLocation authorizationHeader() {
    return new AuthorizationHeader();
  }

  static TokenLocation header(String name) {
    return new NamedHeader(name);
  }

  static TokenLocation cookie(String name) {
    return new Cookie(name);
  }

  private static final class AuthorizationHeader extends TokenLocation {
    @Override
    @Nullable String find(HttpHeaders headers) throws TokenRejected {
      List<String> values = headers.all("Authorization");
      if (values.isEmpty()) {
        return null;
      }
      if (values.size() > 1) {
        throw TokenRejected.invalidRequest("The request carries more than one Authorization header.");
      }
      String value = values.get(0).strip();
      int space = value.indexOf(' ');
      String scheme = space < 0 ? value : value.substring(0, space);
      if (scheme.isEmpty()) {
        throw TokenRejected.invalidRequest("The Authorization header is malformed.");
      }
      if (!scheme.equalsIgnoreCase("Bearer")) {
        // Another scheme (Basic, ApiKey...): not ours, so another authenticator may take it.
        return null;
      }
      String token = space < 0 ? "" : value.substring(space + 1).stripLeading();
      if (token.isEmpty() || containsWhitespace(token)) {
        throw TokenRejected.invalidRequest("The Authorization header is malformed: expected 'Bearer <token>'.");
      }
      return token;
    }

    @Override
    String describe() {
      return "Authorization: Bearer";
    }
  }

  private static final class NamedHeader extends TokenLocation {
    private final String name;

    NamedHeader(String name) {
      this.name = name;
    }

    @Override
    @Nullable String find(HttpHeaders headers) throws TokenRejected {
      List<String> values = headers.all(name);
      if (values.isEmpty()) {
        return null;
      }
      if (values.size() > 1) {
        throw TokenRejected.invalidRequest("The request carries more than one " + name + " header.");
      }
      String token = values.get(0).strip();
      if (token.isEmpty() || containsWhitespace(token)) {
        throw TokenRejected.invalidRequest("The " + name + " header is malformed: expected a bare token.");
      }
      return token;
    }

    @Override
    String describe() {
      return "header " + name;
    }
  }

  private static final class Cookie extends TokenLocation {
    private final String name;

    Cookie(String name) {
      this.name = name;
    }

    @Override
    @Nullable String find(HttpHeaders headers) throws TokenRejected {
      String found = null;
      // HTTP/2 may split cookies over several Cookie fields (RFC 9113 8.2.3): read them all.
      for (String header : headers.all("Cookie")) {
        for (String pair : header.split(";")) {
          int eq = pair.indexOf('=');
          if (eq < 0 || !pair.substring(0, eq).strip().equals(name)) {
            continue;
          }
          if (found != null) {
            throw TokenRejected.invalidRequest("The request carries more than one " + name + " cookie.");
          }
          String value = pair.substring(eq + 1).strip();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          found = value;
        }
      }
      if (found != null && (found.isEmpty() || containsWhitespace(found))) {
        throw TokenRejected.invalidRequest("The " + name + " cookie is malformed: expected a bare token.");
      }
      return found;
    }

    @Override
    String describe() {
      return "cookie " + name;
    }
  }

  private static boolean containsWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
