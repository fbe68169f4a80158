package dev.portico.gateway.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real grpc-java server (Netty, cleartext HTTP/2) of {@code grpc.testing.SimpleService} for the
 * gateway to proxy, answering each call kind in a way a test can check:
 *
 * <ul>
 *   <li>unary: echoes the request message; a message {@code "fail"} ends the call with
 *       {@code NOT_FOUND} and the description {@code "nothing here: 100%"}; {@code "hold"} never
 *       answers;
 *   <li>server streaming: the request message is {@code count x size}: that many responses of that
 *       many bytes, sent only while the stream {@code isReady()} (it counts the stalls); after the
 *       first response {@link #firstStreamed} completes;
 *   <li>client streaming: the request messages joined with {@code ","};
 *   <li>bidirectional: each request message echoed upper-cased as it arrives.
 * </ul>
 *
 * <p>Every call ends with the custom trailer {@code x-backend-trailer: done} and, on a header
 * {@code x-echo} sent by the client, its value echoed in the response headers.
 */
final class GrpcBackend implements AutoCloseable {
  static final Metadata.Key<String> TRAILER = Metadata.Key.of("x-backend-trailer", Metadata.ASCII_STRING_MARSHALLER);

  final Server server;
  /** Times the server-streaming handler found the stream not ready and waited for onReady. */
  final AtomicInteger stalls = new AtomicInteger();
  /** Bytes of responses sent when the first stall happened. */
  final AtomicLong bytesAtFirstStall = new AtomicLong(-1);
  /** Completes when the server stream sent its first response. */
  final CompletableFuture<Void> firstStreamed = new CompletableFuture<>();
  /** Counts the server-streaming calls that ended (completed or cancelled). */
  final CountDownLatch streamEnded = new CountDownLatch(1);
  /** The grpc-timeout the upstream saw on the last call, as a deadline remaining in ms, or -1. */
  final AtomicLong lastDeadlineMillis = new AtomicLong(-1);

  private GrpcBackend(Server server) {
    this.server = server;
  }

  static GrpcBackend start() throws Exception {
    GrpcBackend[] self = new GrpcBackend[1];
    Service service = new Service(() -> self[0]);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, new TrailerInterceptor()))
        .build()
        .start();
    self[0] = new GrpcBackend(server);
    return self[0];
  }

  int port() {
    return server.getPort();
  }

  String uri() {
    return "http://127.0.0.1:" + port();
  }

  /** Kills the server: open calls are cut, not ended with a status. */
  void kill() {
    server.shutdownNow();
  }

  @Override
  public void close() throws Exception {
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Adds the custom trailer to every call, and echoes {@code x-echo}. */
  private static final class TrailerInterceptor implements ServerInterceptor {
    private static final Metadata.Key<String> ECHO = Metadata.Key.of("x-echo", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      String echo = headers.get(ECHO);
      return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        public void sendHeaders(Metadata responseHeaders) {
          if (echo != null) {
            responseHeaders.put(ECHO, echo);
          }
          super.sendHeaders(responseHeaders);
        }

        @Override
        public void close(Status status, Metadata trailers) {
          trailers.put(TRAILER, "done");
          super.close(status, trailers);
        }
      }, headers);
    }
  }

  private static final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
    private final java.util.function.Supplier<GrpcBackend> backend;

    Service(java.util.function.Supplier<GrpcBackend> backend) {
      this.backend = backend;
    }

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline();
      backend.get().lastDeadlineMillis.set(deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS));
      switch (request.getRequestMessage()) {
        case "fail" -> out.onError(Status.NOT_FOUND.withDescription("nothing here: 100%").asRuntimeException());
        case "hold" -> { }
        default -> {
          out.onNext(response(request.getRequestMessage()));
          out.onCompleted();
        }
      }
    }

    @Override
    public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> plain) {
      String[] spec = request.getRequestMessage().split("x");
      int count = Integer.parseInt(spec[0]);
      String payload = "p".repeat(Integer.parseInt(spec[1]));
      ServerCallStreamObserver<SimpleResponse> out = (ServerCallStreamObserver<SimpleResponse>) plain;
      GrpcBackend self = backend.get();
      AtomicInteger sent = new AtomicInteger();
      AtomicLong bytes = new AtomicLong();
      boolean[] done = new boolean[1];
      out.setOnCancelHandler(self.streamEnded::countDown);
      // Sends while the transport can take more; a stall waits for onReady, never a thread.
      out.setOnReadyHandler(() -> {
        synchronized (done) {
          while (!done[0] && out.isReady() && sent.get() < count) {
            out.onNext(response(payload));
            bytes.addAndGet(payload.length());
            if (sent.incrementAndGet() == 1) {
              self.firstStreamed.complete(null);
            }
          }
          if (!done[0] && sent.get() == count) {
            done[0] = true;
            out.onCompleted();
            self.streamEnded.countDown();
          } else if (!done[0]) {
            if (self.stalls.incrementAndGet() == 1) {
              self.bytesAtFirstStall.set(bytes.get());
            }
          }
        }
      });
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
      StringBuilder joined = new StringBuilder();
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest value) {
          if (joined.length() > 0) {
            joined.append(',');
          }
          joined.append(value.getRequestMessage());
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
          out.onNext(response(joined.toString()));
          out.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest value) {
          out.onNext(response(value.getRequestMessage().toUpperCase(java.util.Locale.ROOT)));
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  static SimpleResponse response(String message) {
    return SimpleResponse.newBuilder().setResponseMessage(message).build();
  }

  static SimpleRequest request(String message) {
    return SimpleRequest.newBuilder().setRequestMessage(message).build();
  }
}
