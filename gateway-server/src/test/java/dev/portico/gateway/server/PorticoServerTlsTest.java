package dev.portico.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.test.FakeUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway port over TLS (PEM files or a PKCS12 store), HTTP/2 by ALPN and h2c, mutual TLS, and
 * the start-up errors of wrong TLS files: the server started in this JVM as {@code main} starts it.
 */
class PorticoServerTlsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private FakeUpstream upstream;
  private Path file;
  private TestTlsFiles tls;
  private final List<StandaloneServer> servers = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void startUpstreamAndWriteFiles() throws Exception {
    upstream = FakeUpstream.start();
    file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        routes:
          - id: api
            path: /api/**
            upstream: %s
        """.formatted(upstream.uri()));
    tls = TestTlsFiles.create(dir);
  }

  @AfterEach
  void stop() throws Exception {
    servers.forEach(StandaloneServer::shutdown);
    upstream.close();
  }

  @Test
  void servesHttp2ByAlpnAndHttp11OverTlsFromPemFiles() throws Exception {
    StandaloneServer server = start("--tls-cert", tls.certificate.toString(), "--tls-key", tls.key.toString());

    HttpResponse<String> h2 = send(tls.client(HttpClient.Version.HTTP_2, false), "https", server.port());
    assertThat(h2.statusCode()).isEqualTo(200);
    assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
    HttpResponse<String> h1 = send(tls.client(HttpClient.Version.HTTP_1_1, false), "https", server.port());
    assertThat(h1.statusCode()).isEqualTo(200);
    assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(upstream.takeRequest(DEADLINE).path()).isEqualTo("/api/x");
    assertThat(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void servesTlsFromAPkcs12StoreWhosePasswordIsInAFile() throws Exception {
    Path password = dir.resolve("password");
    Files.writeString(password, TestTlsFiles.PASSWORD + "\n");
    StandaloneServer server = start("--tls-keystore", tls.keyStore.toString(), "--tls-password", "file:" + password);

    HttpResponse<String> response = send(tls.client(HttpClient.Version.HTTP_2, false), "https", server.port());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
  }

  @Test
  void aPlainPortSpeaksH2cByPriorKnowledgeAndByUpgrade() throws Exception {
    StandaloneServer server = start();

    org.eclipse.jetty.client.HttpClient priorKnowledge =
        new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    priorKnowledge.start();
    try {
      ContentResponse response = priorKnowledge.newRequest("http://127.0.0.1:" + server.port() + "/api/x")
          .timeout(DEADLINE.toSeconds(), TimeUnit.SECONDS).send();
      assertThat(response.getStatus()).isEqualTo(200);
      assertThat(response.getVersion()).isEqualTo(HttpVersion.HTTP_2);
    } finally {
      priorKnowledge.stop();
    }
    HttpResponse<String> upgraded = send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build(), "http",
        server.port());
    assertThat(upgraded.statusCode()).isEqualTo(200);
    assertThat(upgraded.version()).isEqualTo(HttpClient.Version.HTTP_2);
  }

  @Test
  void withoutHttp2APlainPortAndATlsPortSpeakHttp11Only() throws Exception {
    StandaloneServer plain = start("--no-http2");
    StandaloneServer secure = start("--no-http2", "--tls-cert", tls.certificate.toString(), "--tls-key", tls.key.toString());

    HttpResponse<String> h1 = send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build(), "http", plain.port());
    assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    HttpResponse<String> h1s = send(tls.client(HttpClient.Version.HTTP_2, false), "https", secure.port());
    assertThat(h1s.statusCode()).isEqualTo(200);
    assertThat(h1s.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void plainHttpToTheTlsPortIsClosedWithoutAnHttpAnswerOrAProxiedRequest() throws Exception {
    StandaloneServer server = start("--tls-cert", tls.certificate.toString(), "--tls-key", tls.key.toString());

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout((int) DEADLINE.toMillis());
      socket.getOutputStream().write("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] answer = readToEnd(socket.getInputStream());
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
    }
    assertThat(upstream.requestCount()).isZero();
    // The server serves on.
    assertThat(send(tls.client(HttpClient.Version.HTTP_1_1, false), "https", server.port()).statusCode()).isEqualTo(200);
  }

  @Test
  void aHostThatIsNotANameOfTheCertificateAskedForBySniIsA400Problem() throws Exception {
    StandaloneServer server = start("--tls-cert", tls.certificate.toString(), "--tls-key", tls.key.toString());

    try (SSLSocket socket = (SSLSocket) tls.sslContext(false).getSocketFactory().createSocket("127.0.0.1", server.port())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName("localhost")));
      socket.setSSLParameters(parameters);
      socket.setSoTimeout((int) DEADLINE.toMillis());
      socket.getOutputStream().write(("GET /api/x HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(readToEnd(socket.getInputStream()), StandardCharsets.UTF_8);

      assertThat(answer).startsWith("HTTP/1.1 400 ").contains("Content-Type: application/problem+json")
          .contains("\"type\":\"https://portico.dev/problems/bad-request\"").doesNotContain("<html");
    }
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void requiredClientCertificatesRefuseAClientWithoutOneInTheHandshake() throws Exception {
    StandaloneServer server = start("--tls-cert", tls.certificate.toString(), "--tls-key", tls.key.toString(),
        "--client-auth", "need", "--client-ca", tls.ca.toString());

    assertThatThrownBy(() -> send(tls.client(HttpClient.Version.HTTP_1_1, false), "https", server.port()))
        .isInstanceOf(IOException.class);
    assertThat(upstream.requestCount()).isZero();
    HttpResponse<String> mutual = send(tls.client(HttpClient.Version.HTTP_2, true), "https", server.port());
    assertThat(mutual.statusCode()).isEqualTo(200);
    assertThat(mutual.version()).isEqualTo(HttpClient.Version.HTTP_2);
  }

  @Test
  void askedForClientCertificatesReachARouteThatAuthenticatesByThem() throws Exception {
    Files.writeString(file, """
        authenticators:
          mtls:
            clientCertificate: {}
        routes:
          - id: api
            path: /api/**
            authenticator: mtls
            upstream: %s
        """.formatted(upstream.uri()));
    StandaloneServer server = start("--tls-cert", tls.certificate.toString(), "--tls-key", tls.key.toString(),
        "--client-auth", "want", "--client-ca", tls.ca.toString());

    HttpResponse<String> anonymous = send(tls.client(HttpClient.Version.HTTP_2, false), "https", server.port());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(upstream.requestCount()).isZero();
    HttpResponse<String> mutual = send(tls.client(HttpClient.Version.HTTP_2, true), "https", server.port());
    assertThat(mutual.statusCode()).isEqualTo(200);
    assertThat(upstream.takeRequest(DEADLINE).path()).isEqualTo("/api/x");
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateStopsTheStartNamingBoth() {
    assertFails("--tls-key " + tls.otherKey + ": the key does not match the certificate of --tls-cert (CN=localhost)",
        "--tls-cert", tls.certificate.toString(), "--tls-key", tls.otherKey.toString());
  }

  @Test
  void aMissingOrWrongCertificateFileStopsTheStartNamingIt() throws Exception {
    assertFails("--tls-cert " + dir.resolve("none.pem") + ": no such file",
        "--tls-cert", dir.resolve("none.pem").toString(), "--tls-key", tls.key.toString());
    assertFails("--tls-cert " + tls.key + ": ",
        "--tls-cert", tls.key.toString(), "--tls-key", tls.key.toString());
    assertFails("--tls-key " + tls.certificate + ": no private key in it",
        "--tls-cert", tls.certificate.toString(), "--tls-key", tls.certificate.toString());
    Path pkcs1 = dir.resolve("rsa.key");
    Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertFails("a key in PKCS#1 or SEC 1 form (BEGIN RSA PRIVATE KEY) is not read; convert it to PKCS#8: openssl pkcs8 -topk8",
        "--tls-cert", tls.certificate.toString(), "--tls-key", pkcs1.toString());
  }

  @Test
  void aWrongKeyStorePasswordOrAnUnsetVariableStopsTheStartWithoutShowingThePassword() throws Exception {
    Path wrong = dir.resolve("wrong");
    Files.writeString(wrong, "not-the-password");
    assertFails("--tls-keystore " + tls.keyStore + ": cannot be read with the password of --tls-password (wrong password)",
        "--tls-keystore", tls.keyStore.toString(), "--tls-password", "file:" + wrong);
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("not-the-password");
    assertFails("--tls-keystore " + tls.certificate + ": not a PKCS12 key store",
        "--tls-keystore", tls.certificate.toString(), "--tls-password", "file:" + wrong);
    err.reset();
    assertFails("--tls-password env:PORTICO_TEST_UNSET_PASSWORD: the environment variable PORTICO_TEST_UNSET_PASSWORD is not set",
        "--tls-keystore", tls.keyStore.toString(), "--tls-password", "env:PORTICO_TEST_UNSET_PASSWORD");
  }

  @Test
  void wrongTlsOptionCombinationsAreUsageErrors() {
    assertUsage("--tls-cert needs --tls-key", "--tls-cert", tls.certificate.toString());
    assertUsage("--tls-keystore or --tls-cert with --tls-key, not both", "--tls-keystore", tls.keyStore.toString(),
        "--tls-cert", tls.certificate.toString(), "--tls-key", tls.key.toString());
    assertUsage("--client-auth need needs --client-ca", "--tls-cert", tls.certificate.toString(), "--tls-key",
        tls.key.toString(), "--client-auth", "need");
    assertUsage("--client-auth maybe: expected none, want or need", "--client-auth", "maybe");
    assertUsage("--tls-password: expected env:NAME or file:PATH", "--tls-keystore", tls.keyStore.toString(),
        "--tls-password", "hunter2");
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("hunter2");
    assertUsage("--tls-password, --client-auth and --client-ca need TLS", "--client-ca", tls.ca.toString());
  }

  private void assertFails(String message, String... tlsArgs) {
    err.reset();
    assertThat(Launcher.launch(args(tlsArgs), print(out), print(err))).isEqualTo(Launcher.FAILED);
    String printed = err.toString(StandardCharsets.UTF_8);
    assertThat(printed).startsWith("portico-server: ").contains(message).doesNotContain("\tat ");
  }

  private void assertUsage(String message, String... tlsArgs) {
    assertThat(Launcher.launch(args(tlsArgs), print(out), print(err))).isEqualTo(Launcher.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(message);
  }

  private String[] args(String... extra) {
    List<String> all = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--no-admin"));
    all.addAll(List.of(extra));
    all.add(file.toString());
    return all.toArray(String[]::new);
  }

  private StandaloneServer start(String... extra) {
    Launcher.Outcome outcome = Launcher.start(args(extra), print(out), print(err));
    assertThat(outcome.status()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    StandaloneServer server = outcome.server();
    assertThat(server).isNotNull();
    servers.add(server);
    return server;
  }

  private static HttpResponse<String> send(HttpClient client, String scheme, int port) throws Exception {
    String host = scheme.equals("https") ? "localhost" : "127.0.0.1";
    return client.send(HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":" + port + "/api/x")).timeout(DEADLINE)
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        bytes.write(buffer, 0, n);
      }
    } catch (java.net.SocketException e) {
      // a reset is a close too
    }
    return bytes.toByteArray();
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
