package dev.portico.gateway.internal.websocket;

import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.jspecify.annotations.Nullable;

/**
 * What a host adapter needs to switch a client connection to WebSocket once the upstream accepted:
 * the frame handler for the client's session, the subprotocol the upstream chose, and the session
 * settings. Not public API.
 */
public interface WebSocketUpgrade {

  /** Returns the handler of the client's session (one half of the relay). */
  FrameHandler clientHandler();

  /** Returns the subprotocol the upstream accepted, to accept towards the client; null for none. */
  @Nullable String subProtocol();

  /** Applies the route's idle timeout and message size limits to the client's session. */
  void configure(Configuration configuration);

  /**
   * The client's connection will not be switched after all (the adapter found out only after it
   * accepted the upgrade): closes the upstream's session, which ends the relay.
   */
  void abandon(String why);
}
