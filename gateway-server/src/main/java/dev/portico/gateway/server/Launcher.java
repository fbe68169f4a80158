package dev.portico.gateway.server;

import dev.portico.gateway.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import org.jspecify.annotations.Nullable;

/** What {@link PorticoServer#main} does, returning the exit status instead of exiting. */
final class Launcher {
  /** The file or the server could not start. */
  static final int FAILED = 1;
  /** The command line is wrong. */
  static final int USAGE = 2;

  private Launcher() {}

  /**
   * Parses {@code args}, starts the server and registers the shutdown hook that drains it; returns
   * 0 with the server running, or an exit status after printing the reason to {@code err} (no
   * stack trace: the reason is the user's file or command line).
   */
  static int launch(String[] args, PrintStream out, PrintStream err) {
    Outcome outcome = start(args, out, err);
    StandaloneServer server = outcome.server();
    if (server != null) {
      Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "portico-shutdown"));
    }
    return outcome.status();
  }

  /**
   * What {@link #start} did.
   *
   * @param server the running server, or null when none was started
   * @param status the exit status: 0 when started (or for {@code --help}), else {@link #FAILED} or {@link #USAGE}
   */
  record Outcome(@Nullable StandaloneServer server, int status) {}

  /** Starts the server, or prints why it cannot (or the usage, for {@code --help}). */
  static Outcome start(String[] args, PrintStream out, PrintStream err) {
    ServerOptions options;
    try {
      options = ServerOptions.parse(args);
    } catch (ServerOptions.UsageException e) {
      err.println("portico-server: " + e.getMessage());
      err.println(ServerOptions.USAGE);
      return new Outcome(null, USAGE);
    }
    if (options == null) {
      out.println(ServerOptions.USAGE);
      return new Outcome(null, 0);
    }
    try {
      return new Outcome(StandaloneServer.start(options), 0);
    } catch (ServerTls.InvalidTls e) {
      err.println("portico-server: " + e.getMessage());
    } catch (ConfigException e) {
      err.println("portico-server: " + options.file() + " cannot become a gateway");
      err.println(e.getMessage());
    } catch (IllegalStateException | IllegalArgumentException e) {
      err.println("portico-server: " + options.file() + " cannot become a gateway: " + e.getMessage());
    } catch (IOException e) {
      err.println("portico-server: cannot start the server: " + e.getMessage());
    } catch (Exception e) {
      err.println("portico-server: cannot start the server: " + e);
    }
    return new Outcome(null, FAILED);
  }
}
