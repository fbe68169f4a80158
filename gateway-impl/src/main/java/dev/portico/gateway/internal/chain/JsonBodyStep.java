package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.internal.body.BodyBuffer;
import dev.portico.gateway.internal.body.ContentCodings;
import dev.portico.gateway.internal.body.PrefixedSource;
import dev.portico.gateway.internal.body.UpstreamBody;
import dev.portico.gateway.internal.spi.BodyTransformer;
import dev.portico.gateway.internal.spi.Integrations;
import dev.portico.gateway.transform.JsonTransform;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's JSON body transform, on the upstream request ({@code requestJson}) or the upstream's
 * response ({@code responseJson}). Only JSON media types are touched, and only bodies under the
 * transform's cap: a larger request is refused with 413 before anything goes upstream, a larger
 * response goes by the transform's {@link JsonTransform.ResponseFallback}. gzip is decoded and the
 * result sent uncompressed; the length is recomputed. Not public API.
 */
public final class JsonBodyStep implements ChainStep {
  private static final Logger LOG = LoggerFactory.getLogger(JsonBodyStep.class);

  private final BodyTransformer transformer;
  private final long cap;
  private final JsonTransform.ResponseFallback fallback;
  private final boolean response;

  private JsonBodyStep(JsonTransform transform, boolean response) {
    this.transformer = Integrations.jsonTransforms().compile(transform);
    this.cap = transform.maxBodySize();
    this.fallback = transform.responseFallback();
    this.response = response;
  }

  static JsonBodyStep request(JsonTransform transform) {
    return new JsonBodyStep(transform, false);
  }

  static JsonBodyStep response(JsonTransform transform) {
    return new JsonBodyStep(transform, true);
  }

  @Override
  public String name() {
    return response ? "response-json" : "request-json";
  }

  @Override
  public CompletionStage<GatewayResponse> run(StepContext run, Exchange exchange, FilterChain chain) {
    return response ? filterResponse(run, exchange, chain) : filterRequest(run, exchange, chain);
  }

  private CompletionStage<GatewayResponse> filterRequest(StepContext run, Exchange exchange, FilterChain chain) {
    if (!run.hasRequestBody() || !ContentCodings.isJson(exchange.request().headers().first("Content-Type").orElse(null))) {
      return chain.proceed(exchange);
    }
    return CappedRequestBody.read(run, exchange, cap).thenCompose(outcome -> {
      if (outcome instanceof CappedRequestBody.Refused refused) {
        return CompletableFuture.completedFuture(refused.response());
      }
      CappedRequestBody.Read read = (CappedRequestBody.Read) outcome;
      BodyTransformer.Result result = transformer.transform(read.body(), read.exchange());
      if (result instanceof BodyTransformer.Malformed malformed) {
        return CompletableFuture.completedFuture(GatewayResponse.problem(ProblemType.MALFORMED_JSON.withDetail(
            "The request body is not valid JSON: " + malformed.reason())));
      }
      run.replaceRequestBody(((BodyTransformer.Transformed) result).json());
      return chain.proceed(read.exchange());
    });
  }

  private CompletionStage<GatewayResponse> filterResponse(StepContext run, Exchange exchange, FilterChain chain) {
    // Ask the upstream only for codings the gateway can decode, so a JSON answer can be transformed.
    HttpHeaders headers = exchange.request().headers();
    Exchange forward = exchange;
    if (headers.contains("Accept-Encoding")) {
      forward = exchange.withRequest(exchange.request().toBuilder().removeHeader("Accept-Encoding").build());
      if (acceptsGzip(headers)) {
        forward = forward.withRequest(forward.request().toBuilder().header("Accept-Encoding", "gzip").build());
      }
    }
    boolean head = "HEAD".equals(exchange.request().method());
    return chain.proceed(forward).thenCompose(upstream -> head ? CompletableFuture.completedFuture(upstream)
        : transformResponse(run, exchange, upstream));
  }

  private CompletionStage<GatewayResponse> transformResponse(StepContext run, Exchange exchange,
      GatewayResponse upstream) {
    int status = upstream.status();
    if (upstream.problem().isPresent() || !(upstream.body() instanceof UpstreamBody body)
        || status < 200 || status == 204 || status == 206 || status == 304
        || !ContentCodings.isJson(upstream.headers().first("Content-Type").orElse(null))) {
      return CompletableFuture.completedFuture(upstream);
    }
    ContentCodings.Coding coding = ContentCodings.of(upstream.headers().first("Content-Encoding").orElse(null));
    if (coding == ContentCodings.Coding.UNSUPPORTED) {
      return CompletableFuture.completedFuture(untransformable(exchange, upstream, "an unsupported content coding"));
    }
    if (body.length().isPresent() && body.length().getAsLong() > cap) {
      return CompletableFuture.completedFuture(untransformable(exchange, upstream, "larger than " + cap + " bytes"));
    }
    return BodyBuffer.read(body.source(), cap, body.length().orElse(-1), n -> { }).thenApply(result -> {
      if (result instanceof BodyBuffer.Overflow overflow) {
        if (fallback == JsonTransform.ResponseFallback.PASS_THROUGH) {
          UpstreamBody rest = body.withSource(new PrefixedSource(overflow.prefix(), body.source()));
          run.upstreamResponded(rest);
          return untransformable(exchange, GatewayResponse.of(status, upstream.headers(), rest), "larger than " + cap + " bytes");
        }
        return untransformable(exchange, upstream, "larger than " + cap + " bytes");
      }
      byte[] bytes = ((BodyBuffer.Complete) result).bytes();
      GatewayResponse whole = GatewayResponse.of(status, upstream.headers(), ResponseBody.of(bytes));
      byte[] json = bytes;
      if (coding == ContentCodings.Coding.GZIP && bytes.length > 0) {
        try {
          json = ContentCodings.gunzip(bytes, cap);
        } catch (IOException e) {
          return untransformable(exchange, whole, "not valid gzip");
        }
        if (json == null) {
          return untransformable(exchange, whole, "larger than " + cap + " bytes decoded");
        }
      }
      BodyTransformer.Result transformed = transformer.transform(json, exchange);
      if (transformed instanceof BodyTransformer.Malformed malformed) {
        return untransformable(exchange, whole, "not valid JSON: " + malformed.reason());
      }
      HttpHeaders.Builder out = upstream.headers().toBuilder().remove("Content-Encoding").remove("Content-Length")
          .remove("Content-MD5");
      upstream.headers().first("ETag").ifPresent(etag -> out.set("ETag", etag.startsWith("W/") ? etag : "W/" + etag));
      return GatewayResponse.of(status, out.build(), ResponseBody.of(((BodyTransformer.Transformed) transformed).json()));
    });
  }

  /** The response as it came ({@code PASS_THROUGH}) or a 502 problem ({@code REJECT}). */
  private GatewayResponse untransformable(Exchange exchange, GatewayResponse upstream, String why) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} route '{}': upstream response not transformed: {}", exchange.requestId(), exchange.route().id(), why);
    }
    if (fallback == JsonTransform.ResponseFallback.PASS_THROUGH) {
      return upstream;
    }
    return GatewayResponse.problem(ProblemType.BAD_UPSTREAM_RESPONSE.withDetail(
        "The upstream's response could not be transformed: it is " + why + "."));
  }

  /** Whether {@code Accept-Encoding} accepts gzip (by name or {@code *}, with a q above 0). */
  static boolean acceptsGzip(HttpHeaders headers) {
    for (String value : headers.all("Accept-Encoding")) {
      for (String item : value.split(",")) {
        String[] parts = item.split(";");
        String coding = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
          continue;
        }
        boolean zero = false;
        for (int i = 1; i < parts.length; i++) {
          String p = parts[i].trim().toLowerCase(Locale.ROOT);
          if (p.startsWith("q=")) {
            try {
              zero = Double.parseDouble(p.substring(2)) <= 0;
            } catch (NumberFormatException e) {
              zero = true;
            }
          }
        }
        if (!zero) {
          return true;
        }
      }
    }
    return false;
  }
}
