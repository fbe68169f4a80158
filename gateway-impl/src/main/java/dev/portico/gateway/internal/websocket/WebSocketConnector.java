package dev.portico.gateway.internal.websocket;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import org.jspecify.annotations.Nullable;

/**
 * Opens WebSocket connections to an upstream group's endpoints with websocket-core's client, over
 * the group's HTTP/1.1 client (TLS settings and pool). websocket-core checks the upstream's 101 and
 * its {@code Sec-WebSocket-Accept} before the session opens. Not public API.
 */
public final class WebSocketConnector {
  private final WebSocketCoreClient client;

  public WebSocketConnector(HttpClient httpClient) {
    this.client = new WebSocketCoreClient(httpClient, new WebSocketComponents());
  }

  public void start() throws Exception {
    client.start();
  }

  public void stop() throws Exception {
    client.stop();
  }

  /**
   * Connects to {@code uri} ({@code ws} or {@code wss}) with {@code headers} (the handshake headers
   * of its own are set by websocket-core), offering {@code subProtocols}; the session's frames go to
   * the relay's upstream handler, which reads none before the client side is open too. The
   * handshake fails if the upstream's 101 has not arrived {@code timeoutMillis} after it started.
   */
  public CompletableFuture<CoreSession> connect(URI uri, HttpFields headers, List<String> subProtocols,
      WebSocketRelay relay, long timeoutMillis) throws IOException {
    CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client, uri, relay.upstreamHandler());
    request.headers(out -> {
      for (HttpField field : headers) {
        if (!isHandshakeField(field)) {
          out.add(field);
        }
      }
    });
    if (!subProtocols.isEmpty()) {
      request.setSubProtocols(subProtocols);
    }
    Configuration.ConfigurationCustomizer configuration = new Configuration.ConfigurationCustomizer();
    relay.configure(configuration);
    request.setConfiguration(configuration);
    request.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
    return client.connect(request);
  }

  /** The handshake headers websocket-core sets itself for the upstream leg. */
  private static boolean isHandshakeField(HttpField field) {
    @Nullable HttpHeader header = field.getHeader();
    return header == HttpHeader.SEC_WEBSOCKET_KEY || header == HttpHeader.SEC_WEBSOCKET_VERSION
        || header == HttpHeader.SEC_WEBSOCKET_EXTENSIONS || header == HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL
        || header == HttpHeader.SEC_WEBSOCKET_ACCEPT || header == HttpHeader.UPGRADE
        || header == HttpHeader.CONNECTION || header == HttpHeader.HOST;
  }
}
