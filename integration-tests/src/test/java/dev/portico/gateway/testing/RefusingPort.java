package dev.portico.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback port where connections are refused, and stay refused: the port is bound by a socket
 * that never listens and is held for the rest of the test run, so no server started later can be
 * given the same port (which a closed {@code ServerSocket(0)} does not guarantee).
 */
public final class RefusingPort {
  private static final List<Socket> HELD = new CopyOnWriteArrayList<>();

  private RefusingPort() {}

  /** Returns a port on 127.0.0.1 that refuses connections. */
  public static int reserve() {
    try {
      Socket socket = new Socket();
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      HELD.add(socket);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
