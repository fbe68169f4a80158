package dev.portico.gateway.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The command line of the server, parsed and checked.
 *
 * @param file the configuration file
 * @param host the gateway's listen address; null for every interface
 * @param port the gateway's port, 0 for a free one
 * @param adminHost the admin view's listen address
 * @param adminPort the admin view's port, 0 for a free one, -1 for no admin view
 * @param drainTimeout how long a shutdown waits for the exchanges in flight
 * @param tls the gateway port's TLS; null for plain HTTP
 * @param http2 whether the gateway port speaks HTTP/2 too: h2 by ALPN over TLS, h2c on a plain port
 */
record ServerOptions(Path file, @Nullable String host, int port, String adminHost, int adminPort, Duration drainTimeout,
    @Nullable TlsOptions tls, boolean http2) {
  static final String USAGE = """
      Usage: java -jar portico-server.jar [options] <gateway.yaml | gateway.json>
        --port <n>             the gateway's port (default 8080; 0 picks a free one)
        --host <address>       the address the gateway listens on (default: every interface)
        --admin-port <n>       the admin view's port (default 9090; 0 picks a free one)
        --admin-host <address> the address the admin view listens on (default 127.0.0.1)
        --no-admin             no admin view
        --drain-timeout <d>    how long a shutdown waits for requests in flight (default 30s;
                               as 500ms, 30s or 2m)
        --tls-cert <file>      HTTPS on --port: the PEM certificate chain, the server's first
        --tls-key <file>       the PEM private key of --tls-cert (unencrypted PKCS#8)
        --tls-keystore <file>  HTTPS on --port from a PKCS12 key store instead of PEM files
        --tls-password <ref>   the key store's password: env:NAME or file:PATH, never the password
        --client-auth <mode>   none (default), want or need: ask clients for a certificate
        --client-ca <file>     the PEM CA certificates a client certificate must chain to
        --no-http2             HTTP/1.1 only (default: h2 by ALPN over TLS, h2c on a plain port)
        --help                 this text""";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

  /** Thrown for a command line that is wrong; its message says why. */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code args}; null for {@code --help}.
   *
   * @throws UsageException naming the wrong option or value
   */
  static @Nullable ServerOptions parse(String... args) {
    Path file = null;
    String host = null;
    int port = 8080;
    String adminHost = "127.0.0.1";
    int adminPort = 9090;
    boolean admin = true;
    Duration drainTimeout = Duration.ofSeconds(30);
    Path certificate = null;
    Path key = null;
    Path keyStore = null;
    String password = null;
    TlsOptions.ClientAuth clientAuth = TlsOptions.ClientAuth.NONE;
    Path clientCa = null;
    boolean http2 = true;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> {
          return null;
        }
        case "--port" -> port = port(arg, value(args, ++i, arg));
        case "--host" -> host = value(args, ++i, arg);
        case "--admin-port" -> adminPort = port(arg, value(args, ++i, arg));
        case "--admin-host" -> adminHost = value(args, ++i, arg);
        case "--no-admin" -> admin = false;
        case "--drain-timeout" -> drainTimeout = duration(arg, value(args, ++i, arg));
        case "--tls-cert" -> certificate = Path.of(value(args, ++i, arg));
        case "--tls-key" -> key = Path.of(value(args, ++i, arg));
        case "--tls-keystore" -> keyStore = Path.of(value(args, ++i, arg));
        case "--tls-password" -> password = secret(arg, value(args, ++i, arg));
        case "--client-auth" -> clientAuth = clientAuth(arg, value(args, ++i, arg));
        case "--client-ca" -> clientCa = Path.of(value(args, ++i, arg));
        case "--no-http2" -> http2 = false;
        default -> {
          if (arg.startsWith("-")) {
            throw new UsageException("unknown option " + arg);
          }
          if (file != null) {
            throw new UsageException("one configuration file only, found " + file + " and " + arg);
          }
          file = Path.of(arg);
        }
      }
    }
    if (file == null) {
      throw new UsageException("no configuration file given");
    }
    TlsOptions tls = tls(certificate, key, keyStore, password, clientAuth, clientCa);
    return new ServerOptions(file, host, port, adminHost, admin ? adminPort : -1, drainTimeout, tls, http2);
  }

  private static @Nullable TlsOptions tls(@Nullable Path certificate, @Nullable Path key, @Nullable Path keyStore,
      @Nullable String password, TlsOptions.ClientAuth clientAuth, @Nullable Path clientCa) {
    if (certificate == null && key == null && keyStore == null) {
      if (password != null || clientAuth != TlsOptions.ClientAuth.NONE || clientCa != null) {
        throw new UsageException("--tls-password, --client-auth and --client-ca need TLS: give --tls-cert and"
            + " --tls-key, or --tls-keystore");
      }
      return null;
    }
    if (keyStore != null && (certificate != null || key != null)) {
      throw new UsageException("--tls-keystore or --tls-cert with --tls-key, not both");
    }
    if (keyStore == null && (certificate == null || key == null)) {
      throw new UsageException(certificate == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
    }
    if (keyStore == null && password != null) {
      throw new UsageException("--tls-password is the password of --tls-keystore; a PEM key is read unencrypted");
    }
    if (clientAuth != TlsOptions.ClientAuth.NONE && clientCa == null) {
      throw new UsageException("--client-auth " + clientAuth.name().toLowerCase(Locale.ROOT)
          + " needs --client-ca: the CAs whose client certificates are accepted");
    }
    if (clientAuth == TlsOptions.ClientAuth.NONE && clientCa != null) {
      throw new UsageException("--client-ca needs --client-auth want or need");
    }
    return new TlsOptions(certificate, key, keyStore, password, clientAuth, clientCa);
  }

  private static String secret(String option, String value) {
    if (!Secrets.isReference(value)) {
      // Not echoed: it may be the password itself.
      throw new UsageException(option + ": expected env:NAME or file:PATH (a password on the command line is"
          + " seen by every user of the machine)");
    }
    return value;
  }

  private static TlsOptions.ClientAuth clientAuth(String option, String value) {
    return switch (value) {
      case "none" -> TlsOptions.ClientAuth.NONE;
      case "want" -> TlsOptions.ClientAuth.WANT;
      case "need" -> TlsOptions.ClientAuth.NEED;
      default -> throw new UsageException(option + " " + value + ": expected none, want or need");
    };
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].isEmpty()) {
      throw new UsageException(option + " needs a value");
    }
    return args[i];
  }

  private static int port(String option, String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new UsageException(option + " " + value + ": expected a port, 0-65535");
  }

  private static Duration duration(String option, String value) {
    Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new UsageException(option + " " + value + ": expected a duration such as 500ms, 30s or 2m");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
  }
}
