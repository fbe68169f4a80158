package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.internal.body.BodyBuffer;
import dev.portico.gateway.internal.body.BodyDeadline;
import dev.portico.gateway.internal.body.ContentCodings;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The request body as a body policy (validation, JSON transform) sees it: read whole under the
 * policy's cap, gzip decoded under the same cap. Decoding replaces the body sent upstream and drops
 * {@code Content-Encoding} from the request passed on. Too large answers 413, an unknown content
 * coding 415, broken gzip 400, a body that does not arrive within the route's request body timeout
 * 408. Not public API.
 */
public final class CappedRequestBody {

  /** What reading gave. */
  sealed interface Outcome permits Read, Refused {}

  /** The body, decoded, and the exchange to pass on (without {@code Content-Encoding} when decoded). */
  record Read(byte[] body, Exchange exchange) implements Outcome {}

  /** The problem to answer instead. */
  record Refused(GatewayResponse response) implements Outcome {}

  private CappedRequestBody() {}

  static CompletionStage<Outcome> read(StepContext run, Exchange exchange, long cap) {
    String encoding = exchange.request().headers().first("Content-Encoding").orElse(null);
    ContentCodings.Coding coding = ContentCodings.of(encoding);
    if (coding == ContentCodings.Coding.UNSUPPORTED) {
      return refuse(ProblemType.UNSUPPORTED_MEDIA_TYPE, "The body's content coding '" + printable(encoding)
          + "' is not supported here; send it uncompressed or gzip-encoded.");
    }
    return run.bufferRequestBody(cap).handle((result, failure) -> {
      if (failure != null) {
        BodyDeadline.Expired expired = BodyDeadline.find(failure);
        if (expired == null) {
          throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        }
        return new Refused(BodyDeadline.problem(expired));
      }
      if (!(result instanceof BodyBuffer.Complete complete)) {
        return tooLarge(cap);
      }
      if (coding != ContentCodings.Coding.GZIP || complete.bytes().length == 0) {
        return new Read(complete.bytes(), exchange);
      }
      byte[] decoded;
      try {
        decoded = ContentCodings.gunzip(complete.bytes(), cap);
      } catch (IOException e) {
        return new Refused(GatewayResponse.problem(ProblemType.BAD_REQUEST.withDetail(
            "The request body is marked gzip-encoded but is not valid gzip.")));
      }
      if (decoded == null) {
        return tooLarge(cap);
      }
      run.replaceRequestBody(decoded);
      return new Read(decoded, exchange.withRequest(exchange.request().toBuilder().removeHeader("Content-Encoding").build()));
    });
  }

  static Refused tooLarge(long cap) {
    return new Refused(GatewayResponse.problem(ProblemType.PAYLOAD_TOO_LARGE.withDetail(
        "The request body is larger than this route accepts (" + cap + " bytes).")));
  }

  private static CompletionStage<Outcome> refuse(ProblemType type, String detail) {
    return CompletableFuture.completedFuture(new Refused(GatewayResponse.problem(type.withDetail(detail))));
  }

  private static String printable(String value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && i < 40; i++) {
      char c = value.charAt(i);
      sb.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return sb.toString();
  }
}
