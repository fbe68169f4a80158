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
 */
record ServerOptions(Path file, @Nullable String host, int port, String adminHost, int adminPort, Duration drainTimeout) {
  static final String USAGE = """
      Usage: java -jar portico-server.jar [options] <gateway.yaml | gateway.json>
        --port <n>             the gateway's port (default 8080; 0 picks a free one)
        --host <address>       the address the gateway listens on (default: every interface)
        --admin-port <n>       the admin view's port (default 9090; 0 picks a free one)
        --admin-host <address> the address the admin view listens on (default 127.0.0.1)
        --no-admin             no admin view
        --drain-timeout <d>    how long a shutdown waits for requests in flight (default 30s;
                               as 500ms, 30s or 2m)
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
    return new ServerOptions(file, host, port, adminHost, admin ? adminPort : -1, drainTimeout);
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
