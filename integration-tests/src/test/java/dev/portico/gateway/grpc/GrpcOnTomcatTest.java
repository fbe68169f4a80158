package dev.portico.gateway.grpc;

import static dev.portico.gateway.grpc.GrpcBackend.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayServlet;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC through {@link GatewayServlet} in Tomcat 11 over h2c, where Tomcat's HTTP/2 overhead
 * protection matters: with its defaults, a client stream of small DATA frames (a gRPC stream of
 * small messages, each sent as it is written) counts as overhead and Tomcat closes the connection
 * with {@code GOAWAY(ENHANCE_YOUR_CALM)}, gateway or not. With {@code overheadDataThreshold} 0 on
 * the host's {@link Http2Protocol}, bidirectional calls go through; Tomcat passes on only the request
 * trailers its {@code allowedTrailerHeaders} names (none by default).
 * (Unary and server-streaming calls work with the defaults: {@code GrpcProxyTest}.)
 */
class GrpcOnTomcatTest {
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void tomcatsDefaultOverheadProtectionEndsABidirectionalStreamOfSmallMessages() throws Exception {
    GrpcBackend backend = started(GrpcBackend.start());
    int port = tomcat(proxy(backend), false, "");
    GrpcProxyTest.Collected collected = new GrpcProxyTest.Collected();

    StreamObserver<SimpleRequest> requests = stub(port).bidiStreamingRpc(collected);
    for (int i = 0; i < 50 && !collected.done.isDone(); i++) {
      requests.onNext(request("m" + i));
      collected.messages.poll(5, TimeUnit.SECONDS);
    }
    requests.onCompleted();

    // grpc-java reports GOAWAY(ENHANCE_YOUR_CALM) as RESOURCE_EXHAUSTED.
    assertThat(collected.done.get(20, TimeUnit.SECONDS)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void bidirectionalCallWorksWithTheOverheadDataThresholdOff() throws Exception {
    GrpcBackend backend = started(GrpcBackend.start());
    int port = tomcat(proxy(backend), true, "");
    GrpcProxyTest.Collected collected = new GrpcProxyTest.Collected();

    StreamObserver<SimpleRequest> requests = stub(port).bidiStreamingRpc(collected);
    for (int i = 0; i < 50; i++) {
      requests.onNext(request("m" + i));
      assertThat(collected.messages.poll(20, TimeUnit.SECONDS)).isEqualTo("M" + i);
    }
    requests.onCompleted();

    assertThat(collected.done.get(20, TimeUnit.SECONDS)).isEqualTo(Status.Code.OK);
  }

  @Test
  void teTrailersAndRequestTrailersReachAnHttp2UpstreamWithTheOverheadDataThresholdOffAndTheTrailerAllowed()
      throws Exception {
    GrpcProxyTest.TrailerRecorder h2 = started(GrpcProxyTest.TrailerRecorder.start(true));
    GrpcProxyTest.TrailerRecorder h1 = started(GrpcProxyTest.TrailerRecorder.start(false));
    int port = tomcat(GrpcProxyTest.trailerGateway(h2, h1), true, "x-request-trailer");
    HttpClient client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    client.start();
    closing.add(client::stop);

    GrpcProxyTest.assertTrailersRelayed(client, path -> URI.create("http://127.0.0.1:" + port + path), h2, h1);
  }

  private <T extends AutoCloseable> T started(T closeable) {
    closing.add(closeable);
    return closeable;
  }

  private static Gateway proxy(GrpcBackend backend) {
    return Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("grpc").endpoint(backend.uri()).protocol(UpstreamProtocol.HTTP_2).build())
        .route("simple", r -> r.path("/grpc.testing.SimpleService/*").upstreamGroup("grpc"))
        .build();
  }

  private SimpleServiceGrpc.SimpleServiceStub stub(int port) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    closing.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    return SimpleServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * Starts Tomcat with the gateway's servlet on {@code /*} and h2c, Tomcat passing on the request
   * trailers {@code allowedTrailers} names (none by default); returns its port.
   */
  private int tomcat(Gateway gateway, boolean overheadDataThresholdOff, String allowedTrailers) throws Exception {
    Path baseDir = Files.createTempDirectory("portico-tomcat-grpc");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = tomcat.getConnector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    Http2Protocol http2 = new Http2Protocol();
    if (overheadDataThresholdOff) {
      // What a host that serves gRPC on Tomcat sets: small DATA frames are how gRPC streams.
      http2.setOverheadDataThreshold(0);
    }
    // The HTTP/1.1 protocol's setting, which its HTTP/2 upgrade protocol reads.
    connector.setProperty("allowedTrailerHeaders", allowedTrailers);
    connector.addUpgradeProtocol(http2);
    Context context = tomcat.addContext("", null);
    Wrapper wrapper = Tomcat.addServlet(context, "gateway", new GatewayServlet(gateway));
    wrapper.setAsyncSupported(true);
    context.addServletMappingDecoded("/*", "gateway");
    tomcat.start();
    closing.add(() -> {
      tomcat.stop();
      tomcat.destroy();
      try (var files = Files.walk(baseDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    });
    return connector.getLocalPort();
  }
}
