package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.Mounting;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A request body the client sent without {@code Content-Type} reaches the upstream without one (the
 * Jetty client would add {@code application/octet-stream}): streamed, kept for a retry, or held by a
 * body policy; and one sent with a type keeps exactly that type. On every adapter.
 */
class RequestContentTypeTest {
  private FakeUpstream upstream;
  private Mounting.Running host;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private void start(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .route("streamed", r -> r.path("/streamed/**").upstream(upstream.uri()))
        .route("retried", r -> r.path("/retried/**").upstream(upstream.uri())
            .retry(RetryPolicy.builder().maxRetries(1).retryNonIdempotent().build()))
        .route("held", r -> r.path("/held/**").upstream(upstream.uri()).validate(v -> v.maxBodySize(1024)))
        .build());
    // The test's client must not add a type of its own either.
    host.client().setDefaultRequestContentType(null);
  }

  private RecordedRequest post(Mounting mounting, String path, String contentType) throws Exception {
    byte[] body = "twelve bytes".getBytes(StandardCharsets.US_ASCII);
    if (mounting.h2()) {
      int status = host.client().newRequest(host.uri(path)).method("POST").body(new BytesRequestContent(contentType, body))
          .timeout(10, TimeUnit.SECONDS).send().getStatus();
      assertThat(status).isEqualTo(200);
    } else {
      RawClient.Response response = RawClient.exchange(host.port(), "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
          + "Content-Length: 12\r\nConnection: close\r\n\r\ntwelve bytes");
      assertThat(response.status()).isEqualTo(200);
    }
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.bodyAsString()).isEqualTo("twelve bytes");
    return received;
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aBodyWithoutContentTypeGoesWithoutOneWhetherStreamedKeptOrHeld(Mounting mounting) throws Exception {
    start(mounting);

    for (String path : new String[] {"/streamed/x", "/retried/x", "/held/x"}) {
      RecordedRequest received = post(mounting, path, null);
      assertThat(received.headerValues("Content-Type")).as(path).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET_H2", "TOMCAT_SERVLET"})
  void aBodyWithContentTypeKeepsExactlyIt(Mounting mounting) throws Exception {
    start(mounting);

    for (String path : new String[] {"/streamed/x", "/retried/x", "/held/x"}) {
      RecordedRequest received = post(mounting, path, "text/plain; charset=utf-8");
      assertThat(received.headerValues("Content-Type")).as(path).containsExactly("text/plain; charset=utf-8");
    }
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aGetOrDeleteBodyOfUnknownLengthWithoutContentTypeGoesChunkedNeverUnframed(Mounting mounting) throws Exception {
    start(mounting);
    // 2 KiB: Tomcat over HTTP/2 counts non-final DATA frames smaller than its overheadDataThreshold (1 KiB by
    // default) as overhead, and closed the connection ("Too much overhead") by the second request whose body was
    // one 5-byte frame.
    String sent = "0123456789abcdef".repeat(128);

    for (String method : new String[] {"GET", "DELETE", "OPTIONS"}) {
      if (mounting.h2()) {
        // The body is written once the headers went out: an AsyncRequestContent closed before the send knows its
        // length, and the client would declare it in content-length. The gateway could then answer once it has those
        // bytes, before the client's END_STREAM, and Jetty resets a stream still open at the client's side when the
        // response completes (RST_STREAM CANCEL, which Jetty's client takes for a failure): not what this test is
        // about. Without a length, the upstream can answer only after the gateway saw the end of the stream.
        AsyncRequestContent body = new AsyncRequestContent((String) null);
        assertThat(host.client().newRequest(host.uri("/streamed/x")).method(method).body(body)
            .onRequestCommit(request -> {
              body.write(ByteBuffer.wrap(sent.getBytes(StandardCharsets.US_ASCII)), Callback.NOOP);
              body.close();
            })
            .timeout(10, TimeUnit.SECONDS).send().getStatus()).isEqualTo(200);
      } else {
        RawClient.Response response = RawClient.exchange(host.port(), method + " /streamed/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n800\r\n" + sent + "\r\n0\r\n\r\n");
        assertThat(response.status()).isEqualTo(200);
      }
      RecordedRequest received = upstream.takeRequest();
      assertThat(received.method()).isEqualTo(method);
      assertThat(received.bodyAsString()).as(method).isEqualTo(sent);
      assertThat(received.headerValues("Content-Type")).isEmpty();
      // Nobody knew the length before the end: chunked.
      assertThat(received.headerValues("Transfer-Encoding")).as(method).containsExactly("chunked");
      assertThat(received.header("Content-Length").orElse(null)).as(method).isNull();
    }
    assertThat(upstream.pollRequest()).as("nothing read as a second request").isEmpty();
  }
}
