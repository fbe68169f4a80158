package dev.portico.gateway.server;

/**
 * The main class of {@code portico-server.jar}: runs the gateway described by a YAML or JSON file
 * on Jetty 12, with the read-only admin view on a second port, bound to loopback.
 *
 * <pre>{@code
 * java -jar portico-server.jar [--port 8080] [--host 0.0.0.0] [--admin-port 9090]
 *     [--admin-host 127.0.0.1] [--no-admin] [--drain-timeout 30s]
 *     [--tls-cert fullchain.pem --tls-key privkey.pem | --tls-keystore server.p12 --tls-password env:NAME]
 *     [--client-auth want|need --client-ca ca.pem] [--no-http2] gateway.yaml
 * }</pre>
 *
 * <p>The gateway port speaks HTTP/1.1 and HTTP/2 (h2 by ALPN over TLS, h2c on a plain port); the
 * admin port plain HTTP/1.1, with the admin view, the metrics ({@code /metrics}) and the file's
 * version and reload status ({@code /configuration}).
 *
 * <p>The file is followed: a change is applied while requests flow, and a change that cannot
 * become a gateway is logged with its positions while the old configuration keeps serving. On
 * SIGTERM (or Ctrl+C) the server drains: new requests are answered 503 {@code shutting-down}, the
 * exchanges in flight get up to the drain timeout to end, then the server stops. A file that cannot
 * become a gateway at start-up, or wrong options, end the process with a non-zero status and the
 * reason (with file, line and column) on standard error. Logs go to standard output.
 */
public final class PorticoServer {
  private PorticoServer() {}

  /**
   * Starts the server with the command line {@code args} and returns, leaving it running until the
   * process is stopped; exits with status 1 (the file or the ports) or 2 (the options) when it
   * cannot start.
   */
  public static void main(String[] args) {
    int status = Launcher.launch(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }
}
