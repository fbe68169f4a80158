package dev.portico.gateway.jetty;

import dev.portico.gateway.internal.websocket.WebSocketUpgrade;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches a Jetty core request to WebSocket with websocket-core's server handshake (RFC 6455),
 * once the engine has the upstream's session open. Loaded only for WebSocket upgrades, so a host
 * without websocket-core on its class path never touches it.
 */
final class JettyWebSocketUpgrade {
  private static final Logger LOG = LoggerFactory.getLogger(JettyWebSocketUpgrade.class);

  /** Whether websocket-core's server is on the class path. */
  static final boolean AVAILABLE = isAvailable();

  private JettyWebSocketUpgrade() {}

  private static boolean isAvailable() {
    try {
      Class.forName("org.eclipse.jetty.websocket.core.server.Handshaker", false,
          JettyWebSocketUpgrade.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  static boolean upgrade(Request request, Response response, Callback callback, WebSocketUpgrade upgrade) {
    WebSocketComponents components = WebSocketServerComponents.ensureWebSocketComponents(
        request.getConnectionMetaData().getConnector().getServer());
    WebSocketNegotiator negotiator = new WebSocketNegotiator() {
      @Override
      public FrameHandler negotiate(ServerUpgradeRequest req, ServerUpgradeResponse resp, Callback cb) {
        String subProtocol = upgrade.subProtocol();
        if (subProtocol != null) {
          resp.setAcceptedSubProtocol(subProtocol);
        }
        resp.setExtensions(List.of());   // frames are relayed as they are: no compression on either leg
        return upgrade.clientHandler();
      }

      @Override
      public void customize(Configuration configuration) {
        upgrade.configure(configuration);
      }
    };
    try {
      return Handshaker.newInstance().upgradeRequest(negotiator, request, response, callback, components, null);
    } catch (RuntimeException e) {
      // websocket-core refuses with a WebSocketException or a BadMessageException (a missing key, say);
      // either way nothing was sent, and the engine answers (an exception here would leave it waiting).
      LOG.debug("websocket upgrade refused: {}", e.toString());
      return false;
    }
  }
}
