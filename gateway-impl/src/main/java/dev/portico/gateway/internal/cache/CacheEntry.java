package dev.portico.gateway.internal.cache;

import dev.portico.gateway.HttpHeaders;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One stored response (RFC 9111 section 3): its status, headers and body, what its freshness and
 * age are computed from (section 4.2), its validators, and the request header values its
 * {@code Vary} names (section 4.1). Immutable: a revalidation makes a new one. Not public API.
 *
 * @param varyNames the lower-case names {@code Vary} lists, in order
 * @param varyValues the request's values of those headers, joined per name
 * @param correctedInitialAge seconds, as section 4.2.3 computes it when the response arrived
 * @param responseMillis when the response arrived (epoch millis)
 * @param lifetime the freshness lifetime in seconds (section 4.2.1); 0 when it must be revalidated
 */
public record CacheEntry(int status, HttpHeaders headers, byte[] body, List<String> varyNames,
    List<String> varyValues, long correctedInitialAge, long responseMillis, long lifetime,
    CacheControl cacheControl) {

  /** Returns the entry's age in seconds at {@code nowMillis} (section 4.2.3). */
  public long age(long nowMillis) {
    return correctedInitialAge + Math.max(0, nowMillis - responseMillis) / 1000;
  }

  /** Returns the entry's {@code ETag}, if any. */
  public Optional<String> etag() {
    return headers.first("ETag");
  }

  /** Returns the entry's {@code Last-Modified}, if any. */
  public Optional<String> lastModified() {
    return headers.first("Last-Modified");
  }

  /** Returns whether the entry has a validator the upstream can be asked about. */
  public boolean hasValidator() {
    return etag().isPresent() || lastModified().isPresent();
  }

  /** Returns what the entry weighs against the cache's bound, in bytes (approximately). */
  public long weight() {
    long w = 64L + body.length;
    for (String name : headers.names()) {
      for (String value : headers.all(name)) {
        w += name.length() + value.length() + 4;
      }
    }
    for (String v : varyValues) {
      w += v.length();
    }
    return w;
  }

  /** Returns whether {@code request} has the values this entry was stored for. */
  public boolean matches(HttpHeaders request) {
    for (int i = 0; i < varyNames.size(); i++) {
      if (!varyValues.get(i).equals(joined(request, varyNames.get(i)))) {
        return false;
      }
    }
    return true;
  }

  /** Returns the request's values of {@code name}, joined with commas, whitespace around them dropped. */
  static String joined(HttpHeaders request, String name) {
    List<String> values = request.all(name);
    if (values.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      for (String part : v.split(",")) {
        String t = part.trim();
        if (!t.isEmpty()) {
          if (sb.length() > 0) {
            sb.append(',');
          }
          sb.append(t);
        }
      }
    }
    return sb.toString();
  }

  /**
   * Returns the freshness lifetime of a response in seconds (section 4.2.1): {@code s-maxage},
   * else {@code max-age}, else {@code Expires} minus {@code Date}; -1 when it has none (no
   * heuristic freshness: the gateway keeps only what the upstream says it may).
   */
  static long lifetime(CacheControl cc, HttpHeaders headers, long responseMillis) {
    if (cc.sMaxAge() >= 0) {
      return cc.sMaxAge();
    }
    if (cc.maxAge() >= 0) {
      return cc.maxAge();
    }
    List<String> expires = headers.all("Expires");
    if (!expires.isEmpty()) {
      Long exp = expires.size() == 1 ? httpDate(expires.get(0)) : null;
      if (exp == null) {
        return 0;   // an invalid (or repeated) Expires means already expired (section 5.3)
      }
      Long date = headers.first("Date").map(CacheEntry::httpDate).orElse(null);
      long base = date != null ? date : responseMillis;
      return Math.max(0, (exp - base) / 1000);
    }
    return -1;
  }

  /** The corrected initial age, in seconds, of a response (section 4.2.3). */
  static long initialAge(HttpHeaders headers, long requestMillis, long responseMillis) {
    long ageValue = headers.first("Age").map(CacheControl::parseDelta).orElse(0L);
    Long date = headers.first("Date").map(CacheEntry::httpDate).orElse(null);
    long apparent = date == null ? 0 : Math.max(0, (responseMillis - date) / 1000);
    long delay = Math.max(0, responseMillis - requestMillis) / 1000;
    return Math.max(apparent, ageValue + delay);
  }

  /** Parses an HTTP date (IMF-fixdate; RFC 1123 as Java reads it), or null. */
  static @Nullable Long httpDate(String value) {
    try {
      return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Formats {@code millis} as an HTTP date. */
  static String httpDate(long millis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(millis).atZone(java.time.ZoneOffset.UTC));
  }

  /** Returns the lower-case names of a {@code Vary} header's field lines; {@code *} stays {@code *}. */
  static List<String> varyNames(HttpHeaders headers) {
    List<String> names = new java.util.ArrayList<>();
    for (String line : headers.all("Vary")) {
      for (String part : line.split(",")) {
        String name = part.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !names.contains(name)) {
          names.add(name);
        }
      }
    }
    return List.copyOf(names);
  }
}
