package dev.portico.gateway.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Holds many idle HTTP/1.1 keep-alive connections open to a server, for the idle-connections run of
 * {@code benchmarks/run.sh idle}:
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.portico.gateway.benchmarks.IdleConnections HOST PORT COUNT PATH HOLD_SECONDS READY_FILE
 * }</pre>
 *
 * <p>Opens {@code COUNT} connections, {@value #BATCH} at a time; on each it sends one
 * {@code GET PATH} (keep-alive) and reads the whole answer, so every connection has carried a
 * request and is then left idle, as a browser or SDK leaves it. When all are open it writes
 * {@code opened=N answered=N failed=N} to {@code READY_FILE}, holds them for {@code HOLD_SECONDS}
 * without sending a byte, then checks how many the server still holds open (a read that finds
 * neither end-of-stream nor an error), prints one {@code RESULT} line and closes them all. One
 * thread, non-blocking sockets; bounded in time by construction.
 */
public final class IdleConnections {
  private static final int BATCH = 500;
  private static final long BATCH_DEADLINE_NANOS = 20_000_000_000L;

  private IdleConnections() {
  }

  /** One connection and what it has read of its answer. */
  private static final class Conn {
    final SocketChannel channel;
    @Nullable ByteBuffer in = ByteBuffer.allocate(4096);
    boolean ok;

    Conn(SocketChannel channel) {
      this.channel = channel;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println("usage: IdleConnections HOST PORT COUNT PATH HOLD_SECONDS READY_FILE");
      System.exit(2);
    }
    InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    int count = Integer.parseInt(args[2]);
    byte[] request = ("GET " + args[3] + " HTTP/1.1\r\nHost: " + args[0] + ":" + args[1]
        + "\r\nUser-Agent: portico-idle\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    long holdSeconds = Long.parseLong(args[4]);
    Path ready = Path.of(args[5]);

    List<Conn> conns = new ArrayList<>(count);
    int answered = 0;
    int failed = 0;
    long start = System.nanoTime();
    try (Selector selector = Selector.open()) {
      for (int opened = 0; opened < count; ) {
        int n = Math.min(BATCH, count - opened);
        int pending = 0;
        for (int i = 0; i < n; i++) {
          try {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Conn conn = new Conn(channel);
            conns.add(conn);
            channel.register(selector, channel.connect(address) ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, conn);
            pending++;
          } catch (IOException e) {
            failed++;
            if (failed == 1) {
              System.err.println("connection failed: " + e);
            }
          }
        }
        opened += n;
        long deadline = System.nanoTime() + BATCH_DEADLINE_NANOS;
        while (pending > 0 && System.nanoTime() < deadline) {
          selector.select(200);
          for (SelectionKey key : selector.selectedKeys()) {
            Conn conn = (Conn) key.attachment();
            if (step(key, conn, request)) {
              pending--;
              key.interestOps(0);
              if (conn.ok) {
                answered++;
              } else {
                failed++;
              }
            }
          }
          selector.selectedKeys().clear();
        }
        failed += pending; // no answer within the deadline
      }
      double openSeconds = (System.nanoTime() - start) / 1e9;
      String state = String.format(Locale.ROOT, "opened=%d answered=%d failed=%d seconds=%.1f",
          conns.size(), answered, failed, openSeconds);
      Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
      Files.writeString(tmp, state + "\n");
      Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE);
      System.err.println("holding: " + state);

      Thread.sleep(holdSeconds * 1000);

      int stillOpen = 0;
      int closedByServer = 0;
      ByteBuffer probe = ByteBuffer.allocate(1);
      for (Conn conn : conns) {
        if (!conn.ok) {
          continue;
        }
        try {
          probe.clear();
          int read = conn.channel.read(probe);
          if (read == 0) {
            stillOpen++;
          } else {
            closedByServer++; // -1: closed; > 0: unexpected bytes on an idle connection
          }
        } catch (IOException e) {
          closedByServer++;
        }
      }
      System.out.printf(Locale.ROOT, "RESULT %d %d %d %d %d%n", count, answered, failed, stillOpen, closedByServer);
    } finally {
      for (Conn conn : conns) {
        try {
          conn.channel.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }

  /** Advances one connection; returns true when its exchange is over (answered, or failed). */
  private static boolean step(SelectionKey key, Conn conn, byte[] request) {
    try {
      if (key.isConnectable()) {
        conn.channel.finishConnect();
        key.interestOps(SelectionKey.OP_WRITE);
        return false;
      }
      if (key.isWritable()) {
        ByteBuffer out = ByteBuffer.wrap(request);
        conn.channel.write(out);
        if (out.hasRemaining()) {
          throw new IOException("request not written in one go");
        }
        key.interestOps(SelectionKey.OP_READ);
        return false;
      }
      if (key.isReadable()) {
        ByteBuffer in = conn.in;
        if (in == null || !in.hasRemaining()) {
          throw new IOException("answer larger than " + (in == null ? 0 : in.capacity()) + " bytes");
        }
        if (conn.channel.read(in) < 0) {
          throw new IOException("closed before the answer was complete");
        }
        int complete = completeStatus(in);
        if (complete != 0) {
          conn.ok = complete == 200;
          conn.in = null; // idle from now on: keep nothing but the socket
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      conn.ok = false;
      conn.in = null;
      return true;
    }
  }

  /** Returns the status once the head and a Content-Length body have been read, else 0. */
  private static int completeStatus(ByteBuffer in) {
    String text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return 0;
    }
    String head = text.substring(0, headEnd).toLowerCase(Locale.ROOT);
    int length = 0;
    int at = head.indexOf("\r\ncontent-length:");
    if (at >= 0) {
      int end = head.indexOf("\r\n", at + 2);
      length = Integer.parseInt(head.substring(at + 17, end < 0 ? head.length() : end).trim());
    }
    if (text.length() - headEnd - 4 < length) {
      return 0;
    }
    return Integer.parseInt(head.substring(9, 12));
  }
}
