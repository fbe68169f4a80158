package dev.portico.gateway.internal.proxy;

import org.eclipse.jetty.client.ContentDecoder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.Content;

/**
 * Starts a Jetty {@link HttpClient} with no content decoders: the gateway passes content codings
 * through untouched, and decodes gzip itself (with the JDK) where a body policy reads a body.
 *
 * <p>A Jetty 12.1 client that starts with no decoder looks up every one on the class path, through
 * {@code jetty-compression}, which gateway-impl leaves out of its dependencies; with those found
 * it would ask each server for gzip and inflate the answers. So the client starts with a
 * placeholder, cleared once it runs: it neither needs {@code jetty-compression} nor uses it when
 * the host has it. Not public API.
 */
public final class UndecodedContent {
  private UndecodedContent() {}

  /** Starts {@code client}, unless it runs already, and leaves it without content decoders. */
  public static void start(HttpClient client) throws Exception {
    if (client.isStarted()) {
      return;   // started here before: no placeholder in the way of its requests
    }
    client.getContentDecoderFactories().put(new Placeholder());
    client.start();
    client.getContentDecoderFactories().clear();
  }

  /** Stands in for the decoders while the client starts. */
  private static final class Placeholder extends ContentDecoder.Factory {
    Placeholder() {
      super("identity");
    }

    @Override
    public Content.Source newDecoderContentSource(Content.Source source) {
      return source;
    }
  }
}
