package dev.portico.gateway.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The path and routing table: raw request lines that try to reach the protected route from outside
 * it. Each is sent over a plain socket; none may reach the protected upstream without a token. Not
 * public API.
 */
final class PathAttacks {
  /** What the gateway may answer besides never forwarding. */
  enum Outcome {
    /** Refused or challenged: a 4xx status (400 {@code bad-path}, 401, 404, ...). */
    REFUSED,
    /** Not the protected route's path at all: another route or the host may answer it, but not with 500, 502, 503 or 504. */
    ELSEWHERE
  }

  /** One row: its name, the request line ({@code AUTHORITY} stands for the gateway's host:port) and the outcome. */
  record PathAttack(String name, String requestLine, Outcome outcome) {
    @Override
    public String toString() {
      return name + ": " + requestLine;
    }
  }

  private PathAttacks() {}

  static List<PathAttack> rows(String publicPrefix, String protectedPrefix) {
    String pub = publicPrefix.substring(1);
    String prot = protectedPrefix.substring(1);
    int depth = pub.split("/").length;
    String up = "../".repeat(depth);
    List<PathAttack> rows = new ArrayList<>();
    // Dot-segments: resolved before routing, so they land on the protected route and need a token.
    add(rows, "plain protected path, no token", "GET /" + prot + "/x");
    add(rows, "dot-segment", "GET /" + pub + "/" + up + prot + "/x");
    add(rows, "dot-segment, deeper", "GET /" + pub + "/x/../" + up + prot + "/x");
    add(rows, "single dot then dot-segment", "GET /" + pub + "/./" + up + prot + "/x");
    add(rows, "climb above the root", "GET /../" + prot + "/x");
    add(rows, "climb above the root, twice", "GET /" + pub + "/" + up + "../" + prot + "/x");
    // Encoded dot-segments, every case and half-encoded variant.
    for (String dots : List.of("%2e%2e", "%2E%2E", "%2e%2E", ".%2e", "%2e.", ".%2E", "%2E.")) {
      add(rows, "encoded dot-segment " + dots, "GET /" + pub + "/" + (dots + "/").repeat(depth) + prot + "/x");
    }
    add(rows, "encoded single dot %2e", "GET /" + pub + "/%2e/" + up + prot + "/x");
    add(rows, "double-encoded dot-segment %252e%252e", "GET /" + pub + "/" + "%252e%252e/".repeat(depth) + prot + "/x");
    add(rows, "double-encoded dot-segment %252E%252E", "GET /" + pub + "/" + "%252E%252E/".repeat(depth) + prot + "/x");
    // Double encodings in other spellings: the hex digits encoded too, the %u form, a letter of the prefix.
    add(rows, "double-encoded dot-segment %25%32%65", "GET /" + pub + "/" + "%25%32%65%25%32%65/".repeat(depth) + prot + "/x");
    add(rows, "double-encoded dot-segment %25u002e", "GET /" + pub + "/" + "%25u002e%25u002e/".repeat(depth) + prot + "/x");
    char initial = prot.charAt(0);
    add(rows, "double-encoded first letter", "GET /%25" + Integer.toHexString(initial).toUpperCase(Locale.ROOT) + prot.substring(1) + "/x");
    // Encoded control characters: a server that trims or drops them reads "..%09" as "..".
    for (String control : List.of("%09", "%0a", "%0D", "%1f", "%7F")) {
      add(rows, "control escape .." + control, "GET /" + pub + "/" + (".." + control + "/").repeat(depth) + prot + "/x");
    }
    // Encoded and double-encoded separators.
    for (String slash : List.of("%2f", "%2F", "%252f", "%252F", "%5c", "%5C", "%255c", "%255C", "\\")) {
      add(rows, "separator " + slash, "GET /" + pub + "/" + (".." + slash).repeat(depth) + prot + "/x");
    }
    add(rows, "encoded slash inside the protected prefix", "GET /" + prot.replace("/", "%2F") + "%2Fx");
    add(rows, "backslash as the first separator", "GET /" + pub + "\\..\\" + prot + "/x");
    // Path parameters.
    add(rows, "path parameter ..;/", "GET /" + pub + "/" + "..;/".repeat(depth) + prot + "/x");
    add(rows, "path parameter on the protected prefix", "GET /" + prot + ";x=1/x");
    add(rows, "path parameter on the public prefix", "GET /" + pub + ";x=1/" + up + prot + "/x");
    // An encoded ';' is data, not a parameter: the segment is "..%3B", a path under the public prefix.
    rows.add(new PathAttack("encoded semicolon %3b", "GET /" + pub + "/" + "..%3b/".repeat(depth) + prot + "/x", Outcome.ELSEWHERE));
    // Overlong UTF-8 forms of '.' and '/'.
    add(rows, "overlong dot %c0%ae", "GET /" + pub + "/" + "%c0%ae%c0%ae/".repeat(depth) + prot + "/x");
    add(rows, "overlong dot %C0%AE", "GET /" + pub + "/" + "%C0%AE%C0%AE/".repeat(depth) + prot + "/x");
    add(rows, "overlong slash %c0%af", "GET /" + pub + "/" + "..%c0%af".repeat(depth) + prot + "/x");
    add(rows, "overlong 3-byte dot %e0%80%ae", "GET /" + pub + "/" + "%e0%80%ae%e0%80%ae/".repeat(depth) + prot + "/x");
    add(rows, "overlong backslash %c1%9c", "GET /" + pub + "/" + "..%c1%9c".repeat(depth) + prot + "/x");
    // NUL.
    add(rows, "NUL %00 then dot-segment", "GET /" + pub + "/%00/" + up + "../" + prot + "/x");
    add(rows, "NUL after the protected prefix", "GET /" + prot + "%00/x");
    add(rows, "NUL before the protected prefix", "GET /%00/../" + prot + "/x");
    // Separators folded.
    add(rows, "double slash", "GET //" + prot + "/x");
    add(rows, "double slash inside", "GET /" + prot.replace("/", "//") + "//x");
    add(rows, "triple slash", "GET ///" + prot + "/x");
    add(rows, "double slash, then a dot-segment", "GET //" + pub + "/" + up + prot + "/x");
    add(rows, "double slash, then an encoded dot-segment", "GET //" + pub + "/" + "%2e%2e/".repeat(depth) + prot + "/x");
    // Request-target forms other than origin-form.
    add(rows, "absolute-form, own authority", "GET http://AUTHORITY/" + prot + "/x");
    add(rows, "absolute-form, own authority, dot-segment", "GET http://AUTHORITY/" + pub + "/" + up + prot + "/x");
    add(rows, "absolute-form, other authority", "GET http://evil.example/" + prot + "/x");
    add(rows, "absolute-form, encoded dot-segment", "GET http://AUTHORITY/" + pub + "/" + "%2e%2e/".repeat(depth) + prot + "/x");
    // Not a path at all: the host may answer these itself (Tomcat: 501 to CONNECT, 200 to OPTIONS *).
    rows.add(new PathAttack("authority-form CONNECT", "CONNECT AUTHORITY", Outcome.ELSEWHERE));
    rows.add(new PathAttack("authority-form CONNECT to another host", "CONNECT evil.example:443", Outcome.ELSEWHERE));
    rows.add(new PathAttack("asterisk-form OPTIONS *", "OPTIONS *", Outcome.ELSEWHERE));
    add(rows, "asterisk-form GET *", "GET *");
    // Spellings that are another path: another route or the host may answer, never the protected one.
    rows.add(new PathAttack("upper case", "GET /" + prot.toUpperCase(Locale.ROOT) + "/x", Outcome.ELSEWHERE));
    char first = prot.charAt(0);
    if (Character.isLetter(first)) {
      add(rows, "encoded first letter", "GET /%" + Integer.toHexString(first).toUpperCase(Locale.ROOT) + prot.substring(1) + "/x");
    }
    rows.add(new PathAttack("trailing dot on the prefix", "GET /" + prot + "./x", Outcome.ELSEWHERE));
    add(rows, "tab in the path", "GET /" + pub + "/\t/" + up + prot + "/x");
    return rows;
  }

  /**
   * One query row: its name, the query (without {@code ?}; {@code \u00ff} stands for the raw byte
   * 0xFF, the request being sent as ISO-8859-1) and whether it must be forwarded (it is valid
   * RFC 3986), or may also be refused with a 4xx.
   */
  record QueryRow(String name, String query, boolean mustForward) {
    @Override
    public String toString() {
      return name + ": ?" + query;
    }
  }

  /** Queries that must reach the protected upstream byte for byte, or (where marked) be refused. */
  static List<QueryRow> queries() {
    return List.of(
        new QueryRow("plain", "a=1&b=2", true),
        new QueryRow("encoded byte that is not UTF-8", "c=%FF", true),
        new QueryRow("lower-case hex", "c=%ff%2f", true),
        new QueryRow("plus signs", "a+b=c+d", true),
        new QueryRow("semicolons", "a;b=1;c", true),
        new QueryRow("encoded NUL", "n=%00", true),
        new QueryRow("encoded percent", "p=%25&q=100%25", true),
        new QueryRow("empty query", "", true),
        new QueryRow("question mark in the query", "?a=?", true),
        new QueryRow("dot-segments in the query", "k=a/b/../../c", true),
        new QueryRow("empty parameters", "a=1&&b&", true),
        new QueryRow("raw byte 0xFF", "c=\u00ff", false),
        new QueryRow("raw UTF-8", "c=caf\u00c3\u00a9", false),
        new QueryRow("invalid percent-encoding", "c=%zz", false),
        new QueryRow("truncated percent-encoding", "c=%2", false));
  }

  private static void add(List<PathAttack> rows, String name, String requestLine) {
    rows.add(new PathAttack(name, requestLine, Outcome.REFUSED));
  }
}
