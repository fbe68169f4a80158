package dev.portico.gateway.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Jetty's HTTP/1.1 request parser on the load test's full-target request (a 143-character bearer
 * token), with each of its per-connection header cache modes: Jetty's default (values matched
 * ignoring case, which let a field differing only in case pass for a cached one), case-sensitive,
 * and none, which is what the gateway sets ({@code ExactHeaderValues}). One op parses one request
 * on one of 64 parsers in turn, as 64 connections would, each keeping its own cache.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeaderParsingBenchmark {
  private static final int CONNECTIONS = 64;

  /** {@code ignore-case}: Jetty's default; {@code case-sensitive}; {@code none}: the gateway's. */
  @Param({"ignore-case", "case-sensitive", "none"})
  public String cache;

  private final HttpParser[] parsers = new HttpParser[CONNECTIONS];
  private final Handler handler = new Handler();
  private ByteBuffer request;
  private int next;

  @Setup
  public void setUp() throws Exception {
    byte[] bytes = ("GET /1k HTTP/1.1\r\nHost: 127.0.0.1:18091\r\nAuthorization: Bearer " + ProxyTargets.token()
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    request = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    for (int i = 0; i < CONNECTIONS; i++) {
      HttpParser parser = new HttpParser(handler);
      switch (cache) {
        case "ignore-case" -> parser.setHeaderCacheCaseSensitive(false);
        case "case-sensitive" -> parser.setHeaderCacheCaseSensitive(true);
        case "none" -> parser.setHeaderCacheSize(0);
        default -> throw new IllegalArgumentException("cache: " + cache);
      }
      parsers[i] = parser;
    }
    // One request per parser first, so that every cache holds the fields before measuring; and a
    // check that the request parses whole.
    for (int i = 0; i < CONNECTIONS; i++) {
      if (parse() != 3) {
        throw new IllegalStateException("the request did not parse into 3 fields and a method");
      }
    }
  }

  /** Returns the number of header fields parsed, plus one for the request line. */
  @Benchmark
  public int parse() {
    HttpParser parser = parsers[next];
    next = (next + 1) % CONNECTIONS;
    ByteBuffer in = request.duplicate();
    handler.fields = 0;
    handler.complete = false;
    while (!handler.complete && in.hasRemaining()) {
      parser.parseNext(in);
    }
    parser.reset();
    return handler.fields;
  }

  private static final class Handler implements HttpParser.RequestHandler {
    int fields;
    boolean complete;

    @Override
    public void startRequest(String method, String uri, HttpVersion version) {
      fields++;
    }

    @Override
    public void parsedHeader(HttpField field) {
      fields++;
    }

    @Override
    public boolean headerComplete() {
      return false;
    }

    @Override
    public boolean content(ByteBuffer content) {
      return false;
    }

    @Override
    public boolean contentComplete() {
      return false;
    }

    @Override
    public boolean messageComplete() {
      complete = true;
      return true;
    }

    @Override
    public void earlyEOF() {
      throw new IllegalStateException("early EOF");
    }
  }
}
