package dev.portico.gateway.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A Redis Cluster of three masters from the same {@code redis-server} binary as {@link RedisServer},
 * on loopback ports (each with its cluster bus port, +10000, free too), joined from here with plain
 * commands, as {@code redis-cli --cluster create} would: {@code CLUSTER MEET} introduces the nodes,
 * {@code CLUSTER ADDSLOTS} gives each a third of the 16,384 slots (0-5460, 5461-10922,
 * 10923-16383). {@link #start()} returns once every node reports {@code cluster_state:ok}.
 */
public final class RedisCluster implements AutoCloseable {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private final List<RedisServer> nodes = new ArrayList<>();

  private RedisCluster() {}

  /** Starts and joins three nodes. */
  public static RedisCluster start() throws Exception {
    RedisCluster cluster = new RedisCluster();
    try {
      Path dir = Files.createTempDirectory("portico-redis-cluster");
      for (int port : clusterPorts(3)) {
        Path nodeDir = Files.createDirectory(dir.resolve(Integer.toString(port)));
        cluster.nodes.add(RedisServer.start(nodeDir, port, List.of("--cluster-enabled", "yes",
            "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", "5000")));
      }
      int[] firstSlot = {0, 5461, 10923, 16384};
      for (int i = 0; i < cluster.nodes.size(); i++) {
        RedisServer node = cluster.nodes.get(i);
        if (i > 0) {
          expectOk(node.command("CLUSTER", "MEET", "127.0.0.1", Integer.toString(cluster.nodes.get(0).port())));
        }
        List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
        for (int slot = firstSlot[i]; slot < firstSlot[i + 1]; slot++) {
          addSlots.add(Integer.toString(slot));
        }
        expectOk(node.command(addSlots.toArray(String[]::new)));
      }
      cluster.awaitClusterOk();
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  private static void expectOk(String reply) {
    if (!reply.equals("+OK")) {
      throw new AssertionError("expected +OK, got " + reply);
    }
  }

  /** Returns the seed URIs, {@code redis://127.0.0.1:port} of each node. */
  public List<String> uris() {
    return nodes.stream().map(RedisServer::uri).toList();
  }

  /** Sends one command to the first node. */
  public String command(String... args) throws IOException {
    return nodes.get(0).command(args);
  }

  /** Returns each node's number of keys. */
  public List<Long> keysPerNode() throws IOException {
    List<Long> sizes = new ArrayList<>();
    for (RedisServer node : nodes) {
      sizes.add(Long.parseLong(node.command("DBSIZE").substring(1)));
    }
    return sizes;
  }

  private void awaitClusterOk() throws IOException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    for (RedisServer node : nodes) {
      while (!isOk(node.command("CLUSTER", "INFO"))) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("node " + node.port() + " not ok: " + node.command("CLUSTER", "INFO"));
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
  }

  /** Whether a node's CLUSTER INFO says the cluster is whole: every slot served, all three nodes known. */
  private static boolean isOk(String info) {
    return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
  }

  /** Ports whose cluster bus ports (+10000) are free as well. */
  private static List<Integer> clusterPorts(int count) throws IOException {
    List<Integer> ports = new ArrayList<>();
    for (int candidate = 20_000 + (int) (ProcessHandle.current().pid() % 20_000); ports.size() < count; candidate++) {
      if (candidate > 45_000) {
        candidate = 20_000;
      }
      if (isFree(candidate) && isFree(candidate + 10_000)) {
        ports.add(candidate);
      }
    }
    return ports;
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (RedisServer node : nodes) {
      try {
        node.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
