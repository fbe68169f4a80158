package dev.portico.gateway.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A Redis Cluster of three masters from the same {@code redis-server} binary, on loopback ports
 * (each with its cluster bus port, +10000, free too), joined with
 * {@code redis-cli --cluster create ... --cluster-yes}. {@link #start()} returns once every node
 * reports {@code cluster_state:ok}.
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
      List<String> addresses = new ArrayList<>();
      for (int port : clusterPorts(3)) {
        Path nodeDir = Files.createDirectory(dir.resolve(Integer.toString(port)));
        cluster.nodes.add(RedisServer.start(nodeDir, port, List.of("--cluster-enabled", "yes",
            "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", "5000")));
        addresses.add("127.0.0.1:" + port);
      }
      List<String> create = new ArrayList<>(List.of(RedisServer.binary("redis-cli").toString(), "--cluster", "create"));
      create.addAll(addresses);
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("redis-cli --cluster create failed: " + new String(output, StandardCharsets.UTF_8));
      }
      cluster.awaitClusterOk();
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
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
      while (!node.command("CLUSTER", "INFO").contains("cluster_state:ok")) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("node " + node.port() + " not ok: " + node.command("CLUSTER", "INFO"));
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
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
