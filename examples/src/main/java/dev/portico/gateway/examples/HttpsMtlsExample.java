package dev.portico.gateway.examples;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.mtls.ClientCertificateAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A Jetty host that terminates TLS in front of the gateway, with a route open to any HTTPS client
 * and a route that needs a client certificate (mutual TLS).
 *
 * <pre>
 *   client ──TLS──▶ :8443  JettyGatewayHandler   /api/hello/**  any client              ──▶ echo backend
 *                                                /partner/**    client certificate (CN)  ──▶ echo backend
 * </pre>
 *
 * <p>The certificates are made at start-up by {@link DemoCertificates}: a throwaway CA issues the
 * server's certificate and a client certificate, and the PEM files curl needs are written to a
 * temporary directory, which {@link #close()} removes.
 *
 * <p>Run it with
 * {@code mvn -B -q -pl examples -am compile exec:java -Dexec.mainClass=dev.portico.gateway.examples.HttpsMtlsExample}
 * (port 8443; {@code -Dportico.port=9443} or a first argument changes it). Tests start it on port 0
 * with {@link #start(int)} and stop it with {@link #close()}.
 */
public final class HttpsMtlsExample implements AutoCloseable {
  private final EchoBackend backend;
  private final Server server;
  private final DemoCertificates certificates;
  private final Path pemDir;

  private HttpsMtlsExample(EchoBackend backend, Server server, DemoCertificates certificates, Path pemDir) {
    this.backend = backend;
    this.server = server;
    this.certificates = certificates;
    this.pemDir = pemDir;
  }

  /** The gateway: one route for any client, one for clients with a certificate from the trusted CA. */
  // tag::gateway[]
  static Gateway gateway(URI backend) {
    return Gateway.builder()
        .route("hello", r -> r
            .path("/api/hello/**")                   // any client that completed the TLS handshake
            .upstream(backend.toString()))
        .route("partner", r -> r
            .path("/partner/**")
            .authenticator(ClientCertificateAuthenticator.commonName())   // 401 without a client certificate
            .identityForwarding(IdentityForwarding.headersOnly())         // X-Auth-Subject: the certificate's CN
            .upstream(backend.toString()))
        .build();
  }
  // end::gateway[]

  /** Starts the echo backend, then the HTTPS host on 127.0.0.1 and {@code port} (0: a free one). */
  public static HttpsMtlsExample start(int port) throws Exception {
    EchoBackend backend = EchoBackend.start();
    Path pemDir = Files.createTempDirectory("portico-tls-");
    try {
      DemoCertificates certificates = DemoCertificates.generate();
      certificates.writePem(pemDir);
      Gateway gateway = gateway(backend.uri());

      // tag::tls-host[]
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setKeyStore(certificates.serverKeyStore());         // the server's key and certificate
      tls.setKeyStorePassword(new String(DemoCertificates.PASSWORD));
      tls.setTrustStore(certificates.caTrustStore());         // the CA whose client certificates count
      tls.setWantClientAuth(true);                            // ask every client; the routes decide who must have one

      HttpConfiguration https = new HttpConfiguration();
      https.addCustomizer(new SecureRequestCustomizer());    // https scheme, and the verified chain for the gateway

      Server server = new Server();
      ServerConnector connector = new ServerConnector(server,
          new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
      connector.setHost("127.0.0.1");
      connector.setPort(port);
      server.addConnector(connector);
      server.setHandler(JettyGatewayHandler.create(gateway));
      // end::tls-host[]

      server.start();
      return new HttpsMtlsExample(backend, server, certificates, pemDir);
    } catch (Exception e) {
      Shutdown.inOrder("the HTTPS example", backend::close, () -> Shutdown.deleteTree(pemDir));
      throw e;
    }
  }

  /** Returns the host's base URI, such as {@code https://127.0.0.1:8443/}. */
  public URI uri() {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return URI.create("https://127.0.0.1:" + port + "/");
  }

  /** Returns the certificates this run made. */
  DemoCertificates certificates() {
    return certificates;
  }

  /** Returns the directory with {@code ca.pem}, {@code client.pem} and {@code client-key.pem}. */
  public Path pemDirectory() {
    return pemDir;
  }

  /** Stops the host and the backend, and removes the PEM files. */
  @Override
  public void close() {
    Shutdown.inOrder("the HTTPS example", server::stop, backend::close, () -> Shutdown.deleteTree(pemDir));
  }

  /** Returns what {@link #main} prints: what to try. */
  public String usage() {
    String base = uri().toString().replaceAll("/$", "");
    return """

        HTTPS gateway on %1$s/ (a throwaway demo CA issued its certificate)
          /api/hello/**  any client               -> %3$s
          /partner/**    needs a client certificate from the demo CA; X-Auth-Subject is its CN

        Try:
          # TLS, verified against the demo CA
          curl -i --cacert %2$s/ca.pem %1$s/api/hello
          # 401 with WWW-Authenticate: ClientCertificate realm="api": no client certificate
          curl -i --cacert %2$s/ca.pem %1$s/partner/orders
          # mutual TLS: the echo backend shows X-Auth-Subject: demo-client and X-Auth-Method: mtls
          curl -i --cacert %2$s/ca.pem --cert %2$s/client.pem --key %2$s/client-key.pem %1$s/partner/orders

        Stop with Ctrl+C (the PEM files in %2$s are deleted).
        """.formatted(base, pemDir, backend.uri());
  }

  /** Starts the example on port 8443, the first argument, or {@code -Dportico.port}, and waits. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("portico.port", 8443);
    HttpsMtlsExample example = start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(example::close, "example-shutdown"));
    System.out.println(example.usage());
    example.server.join();
  }
}
