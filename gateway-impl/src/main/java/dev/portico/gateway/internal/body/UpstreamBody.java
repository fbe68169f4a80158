package dev.portico.gateway.internal.body;

import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.internal.http.HopByHop;
import java.util.OptionalLong;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * An upstream response body, streamed to the client by the engine and never held. Not public
 * API.
 */
public final class UpstreamBody implements ResponseBody {
  private final Content.Source source;
  private final Response response;
  private final long length;

  public UpstreamBody(Content.Source source, Response response, long length) {
    this.source = source;
    this.response = response;
    this.length = length;
  }

  @Override
  public OptionalLong length() {
    return length >= 0 ? OptionalLong.of(length) : OptionalLong.empty();
  }

  public Content.Source source() {
    return source;
  }

  /** Returns this body read from {@code source} instead (what a policy left of it), same length. */
  public UpstreamBody withSource(Content.Source source) {
    return new UpstreamBody(source, response, length);
  }

  /**
   * Returns the upstream's trailers to relay to the client (hop-by-hop fields and fields that may not
   * be trailers left out), or null when it sent none. Complete once the body was read to its end.
   */
  public @Nullable HttpFields trailers() {
    return HopByHop.relayedTrailers(response.getTrailers());
  }

  /** Gives up on the body (a filter replaced the response): frees the upstream connection. */
  public void discard(Throwable why) {
    response.abort(why);
  }

  @Override
  public String toString() {
    return "UpstreamBody{length=" + length + "}";
  }
}
