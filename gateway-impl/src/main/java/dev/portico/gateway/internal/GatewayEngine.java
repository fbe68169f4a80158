package dev.portico.gateway.internal;

import dev.portico.gateway.Gateway;

/**
 * The running form of a {@link Gateway}: compiled route table, upstream clients, problem writer and
 * access log, shared by every adapter. Not public API.
 */
public final class GatewayEngine {
  private final Gateway gateway;

  private GatewayEngine(Gateway gateway) {
    this.gateway = gateway;
  }

  /** Compiles {@code gateway}; does no I/O until {@link #start()}. */
  public static GatewayEngine create(Gateway gateway) {
    return new GatewayEngine(gateway);
  }

  /** Starts the upstream clients. */
  public void start() throws Exception {}

  /** Stops the upstream clients. */
  public void stop() throws Exception {}

  /**
   * Handles one exchange. Returns false, having touched nothing, when no route matches and
   * {@code handBackOnNoRoute} is true; otherwise takes the exchange over and ends it later with
   * {@link ClientExchange#succeeded()} or {@link ClientExchange#failed(Throwable)}.
   */
  public boolean handle(ClientExchange exchange, boolean handBackOnNoRoute) {
    throw new UnsupportedOperationException("engine under construction");
  }
}
