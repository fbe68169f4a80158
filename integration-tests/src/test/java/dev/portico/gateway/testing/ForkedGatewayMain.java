package dev.portico.gateway.testing;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A gateway alone in its own JVM, for measuring what it costs: a Jetty server on an ephemeral
 * loopback port with {@link JettyGatewayHandler} and one route, {@code /**}, to the upstream URI
 * given as the only argument (with a response cache when {@code -Dportico.fork.cache=true}). {@link ForkedGateway} runs it.
 *
 * <p>Protocol, one {@code KEY=value} per line on stdout: {@code PORT=<n>} once serving; on a
 * {@code stop} line or end of stdin it stops the server and prints the measurements, then
 * {@code DONE=1}, and exits with 0:
 *
 * <ul>
 *   <li>{@code PEAK_HEAP_BYTES}: sum over the heap memory pools of each pool's peak usage, an upper
 *       bound of the heap ever in use (pools peak at different times);
 *   <li>{@code SAMPLED_MAX_HEAP_BYTES}: the largest used heap seen by sampling every 5 ms;
 *   <li>{@code MAX_HEAP_AFTER_GC_BYTES}: the largest heap in use right after a collection: what
 *       the gateway really held on to;
 *   <li>{@code PEAK_DIRECT_BYTES}: the largest direct buffer memory seen by sampling;
 *   <li>{@code GC_MILLIS}, {@code GC_COUNT}: collection time and count summed over collectors;
 *   <li>{@code MAX_HEAP_BYTES}: the heap limit ({@code -Xmx}); {@code GC}: the collectors' names.
 * </ul>
 */
public final class ForkedGatewayMain {
  private ForkedGatewayMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: ForkedGatewayMain <upstream-uri>");
      System.exit(2);
    }
    AtomicLong sampledMaxHeap = new AtomicLong();
    AtomicLong sampledMaxDirect = new AtomicLong();
    AtomicLong maxAfterGc = new AtomicLong();
    List<BufferPoolMXBean> bufferPools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heap-sampler");
      t.setDaemon(true);
      return t;
    });
    sampler.scheduleAtFixedRate(() -> {
      sampledMaxHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
      long direct = 0;
      for (BufferPoolMXBean pool : bufferPools) {
        if ("direct".equals(pool.getName())) {
          direct += pool.getMemoryUsed();
        }
      }
      sampledMaxDirect.accumulateAndGet(direct, Math::max);
    }, 0, 5, TimeUnit.MILLISECONDS);
    List<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).toList();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          GarbageCollectionNotificationInfo info =
              GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
          long after = 0;
          for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
              after += pool.getValue().getUsed();
            }
          }
          maxAfterGc.accumulateAndGet(after, Math::max);
        }
      }, null, null);
    }

    // -Dportico.fork.cache=true: the route caches (defaults: 64 MiB, 1 MiB per entry)
    boolean cache = Boolean.getBoolean("portico.fork.cache");
    Gateway gateway = Gateway.builder().route("all", r -> {
      r.path("/**").upstream(args[0]);
      if (cache) {
        r.cache(dev.portico.gateway.cache.CachePolicy.defaults());
      }
    }).build();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(JettyGatewayHandler.create(gateway));
    server.start();
    System.out.println("PORT=" + connector.getLocalPort());
    System.out.flush();

    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = stdin.readLine()) != null && !"stop".equals(line.trim())) {
      // Anything else is ignored.
    }
    server.stop();
    sampler.shutdownNow();

    long peakPools = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        MemoryUsage peak = pool.getPeakUsage();
        peakPools += peak == null ? 0 : peak.getUsed();
      }
    }
    long gcMillis = 0;
    long gcCount = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcMillis += Math.max(0, gc.getCollectionTime());
      gcCount += Math.max(0, gc.getCollectionCount());
    }
    System.out.println("PEAK_HEAP_BYTES=" + peakPools);
    System.out.println("SAMPLED_MAX_HEAP_BYTES=" + sampledMaxHeap.get());
    System.out.println("MAX_HEAP_AFTER_GC_BYTES=" + maxAfterGc.get());
    System.out.println("PEAK_DIRECT_BYTES=" + sampledMaxDirect.get());
    System.out.println("GC_MILLIS=" + gcMillis);
    System.out.println("GC_COUNT=" + gcCount);
    System.out.println("MAX_HEAP_BYTES=" + Runtime.getRuntime().maxMemory());
    System.out.println("GC=" + ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(",")));
    System.out.println("DONE=1");
    System.out.flush();
    System.exit(0);
  }
}
