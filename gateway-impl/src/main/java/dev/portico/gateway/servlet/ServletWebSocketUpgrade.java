package dev.portico.gateway.servlet;

import dev.portico.gateway.internal.websocket.WebSocketUpgrade;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted WebSocket upgrade waiting to switch the client's connection: the upstream answered
 * 101, and the engine handed the relay to the servlet. The switch itself is the container's, through
 * {@link ServerContainer#upgradeHttpToWebSocket} (Jakarta WebSocket 2.1). Containers take it only
 * while a container thread runs the request (Jetty ee10 starts an asynchronous cycle of its own in
 * it, Tomcat takes the upgrade when {@code service} returns), so the exchange is dispatched back
 * into the servlet ({@code AsyncContext.dispatch}) with this object in a request attribute, and the
 * upgrade happens in that dispatch. Nothing waited for the upstream's handshake.
 *
 * <p>Loaded only for such upgrades, so a container without {@code jakarta.websocket} never touches
 * it.
 */
final class ServletWebSocketUpgrade {
  private static final Logger LOG = LoggerFactory.getLogger(ServletWebSocketUpgrade.class);

  /** The request attribute the dispatch finds this under. */
  static final String ATTRIBUTE = "dev.portico.gateway.servlet.ServletWebSocketUpgrade";
  /** The servlet context attribute a container with Jakarta WebSocket puts its server container under. */
  static final String SERVER_CONTAINER_ATTRIBUTE = "jakarta.websocket.server.ServerContainer";

  private final WebSocketUpgrade upgrade;
  private final String label;

  ServletWebSocketUpgrade(WebSocketUpgrade upgrade, String label) {
    this.upgrade = upgrade;
    this.label = label;
  }

  /**
   * Switches the client's connection, on the container thread of the dispatch. If the container
   * refuses after all (it checks the handshake again), the upstream's session is closed and the
   * client gets the container's own 400.
   */
  void upgrade(HttpServletRequest request, HttpServletResponse response) {
    JakartaWebSocketLeg leg = new JakartaWebSocketLeg(upgrade);
    boolean switched = false;
    try {
      if (request.getServletContext().getAttribute(SERVER_CONTAINER_ATTRIBUTE) instanceof ServerContainer container) {
        container.upgradeHttpToWebSocket(request, response, endpointConfig(leg, upgrade.subProtocol()), Map.of());
        switched = response.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS;
      }
    } catch (Exception | LinkageError e) {
      LOG.debug("{} websocket upgrade refused by the container: {}", label, e.toString());
    }
    if (switched) {
      return;
    }
    upgrade.abandon("the client connection could not be upgraded");
    try {
      if (!response.isCommitted()) {
        response.sendError(HttpServletResponse.SC_BAD_REQUEST);
      }
    } catch (IOException | IllegalStateException e) {
      LOG.debug("{} cannot answer the refused websocket upgrade: {}", label, e.toString());
    }
  }

  /**
   * The endpoint configuration for one connection: the relay's leg as the endpoint instance, the
   * upstream's subprotocol, no extensions (frames pass as they are), any origin (the route's CORS
   * policy and authentication already ran).
   */
  private static ServerEndpointConfig endpointConfig(JakartaWebSocketLeg leg, @Nullable String subProtocol) {
    // Declared as Endpoint: containers insist on a public endpoint class, the instance is the leg.
    return ServerEndpointConfig.Builder.create(Endpoint.class, "/")
        .subprotocols(subProtocol == null ? List.of() : List.of(subProtocol))
        .configurator(new ServerEndpointConfig.Configurator() {
          @Override
          public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(leg);
          }

          @Override
          public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
            return subProtocol == null ? "" : subProtocol;
          }

          @Override
          public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
            return List.of();
          }

          @Override
          public boolean checkOrigin(String originHeaderValue) {
            return true;
          }

          @Override
          public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
            // the handshake headers are the container's own
          }
        })
        .build();
  }
}
