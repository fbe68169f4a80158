package dev.portico.gateway.observe.json;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * An access log that writes one JSON object per exchange, on one line, to an SLF4J logger
 * ({@code dev.portico.gateway.access} by default), to a file through a
 * {@link dev.portico.gateway.observe.file.LogFile}, or to a sink of the host's.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder()
 *     .accessLog(JsonAccessLog.builder()
 *         .fields(Field.TIME, Field.TRACE_ID, Field.ROUTE, Field.STATUS, Field.DURATION_MS)
 *         .build())
 *     .route(...)
 *     .build();
 * }</pre>
 *
 * <p>A line, with every field:
 * <pre>{@code
 * {"time":"2026-05-04T10:15:30.123Z","requestId":"06b9f9a6...","traceId":"4bf92f35...","route":"orders",
 *  "method":"GET","path":"/api/orders/42","status":200,"upstream":"http://orders:8080/orders/42",
 *  "client":"10.1.2.3","durationMs":84,"bytesIn":0,"bytesOut":347,"outcome":"ok","subject":"alice",
 *  "authMethod":"jwt","userAgent":"orders-app/2.1","rateLimit":{"limiter":"per-user","decision":"allowed","remaining":97}}
 * }</pre>
 *
 * <p>What an {@link AccessLogEntry} does not carry cannot be logged: no header but the
 * {@code User-Agent} (so no {@code Authorization}, cookie or API key: the caller is its subject),
 * no query string, no body. Absent values ({@code route} and {@code upstream} when none,
 * {@code traceId} when unknown, {@code subject} and {@code authMethod} when not authenticated,
 * {@code rateLimit} when no limiter was asked) are {@code null}. Called on the
 * thread that finished the exchange; formatting builds the line in one buffer, escaping strings
 * with Jackson's JSON encoder, and never blocks.
 */
public final class JsonAccessLog implements AccessLog {
  /** The logger the default access log writes to as well. */
  public static final String DEFAULT_LOGGER = "dev.portico.gateway.access";

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  /** The fields a line can hold, in the order they are written. */
  public enum Field {
    /** When the entry was logged (ISO-8601, UTC, always three digits of milliseconds). */
    TIME("time"),
    /** The request id. */
    REQUEST_ID("requestId"),
    /** The W3C trace id. */
    TRACE_ID("traceId"),
    /** The route id. */
    ROUTE("route"),
    /** The request method. */
    METHOD("method"),
    /** The normalized path, without the query. */
    PATH("path"),
    /** The status sent; 0 when none was. */
    STATUS("status"),
    /** The upstream URI called, without the query. */
    UPSTREAM("upstream"),
    /** The client's IP address. */
    CLIENT_IP("client"),
    /** The duration in milliseconds. */
    DURATION_MS("durationMs"),
    /** Request body bytes read. */
    BYTES_IN("bytesIn"),
    /** Response body bytes written. */
    BYTES_OUT("bytesOut"),
    /** How the exchange ended. */
    OUTCOME("outcome"),
    /** The authenticated caller's subject (never its credential); {@code null} when not authenticated. */
    SUBJECT("subject"),
    /** How the caller authenticated ({@code jwt}, {@code api-key}, ...); {@code null} when not authenticated. */
    AUTH_METHOD("authMethod"),
    /** The client's {@code User-Agent}, at most 256 printable ASCII characters; {@code null} when none. */
    USER_AGENT("userAgent"),
    /**
     * What the rate limits decided, as an object: {@code {"limiter":"per-ip","decision":"rejected","remaining":0}}
     * ({@code remaining} -1 when the limiter reported no policy); {@code null} when none was asked.
     */
    RATE_LIMIT("rateLimit");

    private final String key;

    Field(String key) {
      this.key = key;
    }

    /** Returns the JSON member name. */
    public String key() {
      return key;
    }
  }

  /** The decisions' names in the log, by ordinal: {@code allowed}, {@code rejected}, ... */
  private static final String[] DECISIONS = java.util.Arrays.stream(RateLimitDecision.Kind.values())
      .map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

  private final Field[] fields;
  /** Per field, what precedes its value: {@code {"time":} for the first, {@code ,"route":} for the others. */
  private final String[] prefixes;
  private final Consumer<String> sink;
  private final Clock clock;
  /** The last {@code time} written: many lines share a millisecond, and formatting one is not free. */
  private volatile FormattedTime lastTime = new FormattedTime(Long.MIN_VALUE, "");

  private record FormattedTime(long millis, String text) {}

  private JsonAccessLog(Builder b) {
    this.fields = b.fields.toArray(Field[]::new);
    this.prefixes = new String[fields.length];
    for (int i = 0; i < fields.length; i++) {
      prefixes[i] = (i == 0 ? "{\"" : ",\"") + fields[i].key + "\":";
    }
    this.clock = b.clock;
    if (b.sink != null) {
      this.sink = b.sink;
    } else {
      Logger logger = LoggerFactory.getLogger(b.logger);
      this.sink = line -> {
        if (logger.isInfoEnabled()) {
          logger.info(line);
        }
      };
    }
  }

  /** Returns a JSON access log with every field, to the logger {@code dev.portico.gateway.access}. */
  public static JsonAccessLog create() {
    return builder().build();
  }

  /** Returns a builder: every field and the default logger until told otherwise. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the fields written, in order. */
  public List<Field> fields() {
    return List.of(fields);
  }

  @Override
  public void log(AccessLogEntry entry) {
    sink.accept(format(entry));
  }

  /** Returns {@code entry} as one line of JSON, without a line break. */
  public String format(AccessLogEntry entry) {
    StringBuilder json = new StringBuilder(320);
    for (int i = 0; i < fields.length; i++) {
      json.append(prefixes[i]);
      switch (fields[i]) {
        case TIME -> string(json, time());
        case REQUEST_ID -> string(json, entry.requestId());
        case TRACE_ID -> string(json, entry.traceId().orElse(null));
        case ROUTE -> string(json, entry.routeId().orElse(null));
        case METHOD -> string(json, entry.method());
        case PATH -> string(json, entry.path());
        case STATUS -> json.append(entry.status());
        case UPSTREAM -> string(json, entry.upstream().orElse(null));
        case CLIENT_IP -> string(json, entry.clientIp());
        case DURATION_MS -> json.append(entry.duration().toMillis());
        case BYTES_IN -> json.append(entry.bytesIn());
        case BYTES_OUT -> json.append(entry.bytesOut());
        case OUTCOME -> string(json, entry.outcome());
        case SUBJECT -> string(json, entry.subject().orElse(null));
        case AUTH_METHOD -> string(json, entry.authMethod().orElse(null));
        case USER_AGENT -> string(json, entry.userAgent().orElse(null));
        case RATE_LIMIT -> rateLimit(json, entry.rateLimit().orElse(null));
      }
    }
    return json.append('}').toString();
  }

  private String time() {
    long millis = clock.millis();
    FormattedTime last = lastTime;
    if (last.millis != millis) {
      last = new FormattedTime(millis, TIME.format(Instant.ofEpochMilli(millis)));
      lastTime = last;
    }
    return last.text;
  }

  private static void rateLimit(StringBuilder json, AccessLogEntry.@Nullable RateLimitOutcome outcome) {
    if (outcome == null) {
      json.append("null");
      return;
    }
    json.append("{\"limiter\":");
    string(json, outcome.limiter());
    json.append(",\"decision\":\"").append(DECISIONS[outcome.decision().ordinal()])
        .append("\",\"remaining\":").append(outcome.remaining()).append('}');
  }

  /** Appends {@code value} as a JSON string, or {@code null}; only a value that needs escaping is escaped. */
  private static void string(StringBuilder json, @Nullable String value) {
    if (value == null) {
      json.append("null");
      return;
    }
    json.append('"');
    if (needsEscaping(value)) {
      JsonStringEncoder.getInstance().quoteAsString(value, json);
    } else {
      json.append(value);
    }
    json.append('"');
  }

  private static boolean needsEscaping(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "JsonAccessLog" + List.of(fields);
  }

  /** Builds a {@link JsonAccessLog}. */
  public static final class Builder {
    private Set<Field> fields = EnumSet.allOf(Field.class);
    private String logger = DEFAULT_LOGGER;
    private @Nullable Consumer<String> sink;
    private Clock clock = Clock.systemUTC();

    Builder() {}

    /** Writes only {@code fields} (in their declaration order); at least one. */
    public Builder fields(Field... fields) {
      if (fields.length == 0) {
        throw new IllegalArgumentException("fields: none (expected: at least one)");
      }
      EnumSet<Field> chosen = EnumSet.noneOf(Field.class);
      for (Field f : fields) {
        chosen.add(requireNonNull(f, "field"));
      }
      this.fields = chosen;
      return this;
    }

    /** Logs to the SLF4J logger {@code name} at INFO (default {@code dev.portico.gateway.access}). */
    public Builder logger(String name) {
      this.logger = requireNonNull(name, "name");
      this.sink = null;
      return this;
    }

    /**
     * Hands each line to {@code sink} instead of SLF4J; it must be quick and must not block. A
     * {@link dev.portico.gateway.observe.file.LogFile} is such a sink for a file.
     */
    public Builder sink(Consumer<String> sink) {
      this.sink = requireNonNull(sink, "sink");
      return this;
    }

    /** Sets the clock of the {@code time} field (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Returns the access log. */
    public JsonAccessLog build() {
      return new JsonAccessLog(this);
    }
  }
}
