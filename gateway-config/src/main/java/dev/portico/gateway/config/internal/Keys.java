package dev.portico.gateway.config.internal;

import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.upstream.HashKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;

/** Small values written as one string in the file: request keys, hash keys, key stores. Not public API. */
final class Keys {
  /** The words a request key may be; {@code header:}, {@code apiKey:} and {@code constant:} take a name. */
  static final String KEY_DOC = "clientIp, principal, plan, route, header:NAME, apiKey:HEADER or constant:VALUE;"
      + " a list of them keys by all together";
  static final Type KEY_TYPE = Type.either(Type.STRING, Type.STRINGS);

  private Keys() {}

  /** A request key, or a composite of several. */
  static KeyResolver resolver(Value value) {
    if (value.isScalar()) {
      return resolver(value.text());
    }
    List<KeyResolver> parts = value.items().stream().map(v -> resolver(v.text())).toList();
    return KeyResolver.composite(parts.toArray(KeyResolver[]::new));
  }

  private static KeyResolver resolver(String text) {
    int colon = text.indexOf(':');
    String word = colon < 0 ? text : text.substring(0, colon);
    String argument = colon < 0 ? "" : text.substring(colon + 1);
    switch (word) {
      case "clientIp", "principal", "plan", "route" -> {
        if (colon >= 0) {
          throw new Value.Invalid("'" + text + "': " + word + " takes no name");
        }
        return switch (word) {
          case "clientIp" -> KeyResolver.clientIp();
          case "principal" -> KeyResolver.principal();
          case "plan" -> KeyResolver.plan();
          default -> KeyResolver.route();
        };
      }
      case "header", "apiKey", "constant" -> {
        if (argument.isEmpty()) {
          throw new Value.Invalid("'" + text + "': " + word + " needs a name (" + word + ":NAME)");
        }
        return switch (word) {
          case "header" -> KeyResolver.header(argument);
          case "apiKey" -> KeyResolver.apiKey(argument);
          default -> KeyResolver.constant(argument);
        };
      }
      default -> throw new Value.Invalid("'" + text + "' is not a request key (expected: " + KEY_DOC + ")"
          + Suggestions.closest(word, List.of("clientIp", "principal", "plan", "route", "header", "apiKey", "constant"))
              .map(s -> " (did you mean '" + s + "'?)").orElse(""));
    }
  }

  /** A consistent-hash key: {@code header:NAME}, {@code cookie:NAME}, {@code clientIp} or {@code principal}. */
  static HashKey hashKey(Value value) {
    String text = value.text();
    if (text.equals("clientIp")) {
      return HashKey.clientIp();
    }
    if (text.equals("principal")) {
      return HashKey.principal();
    }
    if (text.startsWith("header:") && text.length() > 7) {
      return HashKey.header(text.substring(7));
    }
    if (text.startsWith("cookie:") && text.length() > 7) {
      return HashKey.cookie(text.substring(7));
    }
    throw new Value.Invalid("'" + text + "' is not a hash key (expected: header:NAME, cookie:NAME, clientIp or principal)");
  }

  /** A key store file, read now. */
  static final class StoreFile {
    String path = "";
    char[] password = new char[0];
    String type = "PKCS12";
    char[] keyPassword;

    static final Spec<StoreFile> SPEC = Spec.<StoreFile>of("keyStore", "A key store file (PKCS12 or JKS).")
        .required("path", Type.STRING, "The file; relative to the configuration file's directory.",
            (s, v) -> s.path = v.text())
        .key("password", Type.STRING, "The store's password; use ${env:...} or ${file:...}.",
            (s, v) -> s.password = v.text().toCharArray())
        .key("type", Type.oneWordOf("PKCS12", "JKS"), "PKCS12", "The store's format.", (s, v) -> s.type = v.text())
        .key("keyPassword", Type.STRING, "the store's password", "The private key's password (client certificates only).",
            (s, v) -> s.keyPassword = v.text().toCharArray());

    KeyStore load(Path baseDirectory) {
      Path file = baseDirectory.resolve(path);
      try (InputStream in = Files.newInputStream(file)) {
        KeyStore store = KeyStore.getInstance(type);
        store.load(in, password);
        return store;
      } catch (IOException | GeneralSecurityException e) {
        throw new Value.Invalid("cannot read key store " + file + " (" + References.describe(e) + ")");
      }
    }
  }
}
