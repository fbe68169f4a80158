package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The request smuggling table: messages with ambiguous framing, and the check that what reached
 * the upstream is exactly one well-formed request. Not public API.
 */
final class SmugglingRequests {
  /** The marker path of a request hidden in another one's body. */
  static final String SMUGGLED_PATH = "/smuggled-7f3a";

  /** One row: its name, the raw bytes, and whether the message is plain (then it must be forwarded). */
  record Smuggling(String name, String raw, boolean control) {
    @Override
    public String toString() {
      return name;
    }
  }

  private SmugglingRequests() {}

  /**
   * Rows for {@code method} on {@code path}, each with a token of its own from {@code tokens} and
   * the body {@code body} (sent as UTF-8) under {@code contentType}, if there is one.
   */
  static List<Smuggling> rows(String method, String path, String host, Supplier<String> tokens,
      @Nullable String contentType, String body) {
    String smuggled = "GET " + SMUGGLED_PATH + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    Supplier<String> heads = () -> method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer "
        + tokens.get() + "\r\n" + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n") + "Connection: close\r\n";
    String b = wire(body);
    int n = b.length();
    String size = Integer.toHexString(n);
    String chunked = size + "\r\n" + b + "\r\n0\r\n\r\n";
    List<Smuggling> rows = new ArrayList<>();
    BiConsumer<String, String> attack = (name, rest) -> rows.add(new Smuggling(name, heads.get() + rest, false));
    attack.accept("Content-Length and Transfer-Encoding", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled);
    attack.accept("Transfer-Encoding then Content-Length", "Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n" + smuggled);
    attack.accept("duplicate Content-Length, same value", "Content-Length: " + n + "\r\nContent-Length: " + n + "\r\n\r\n" + b);
    attack.accept("conflicting Content-Length", "Content-Length: " + n + "\r\nContent-Length: " + (n + 40) + "\r\n\r\n" + b + smuggled);
    attack.accept("Content-Length list", "Content-Length: " + n + ", " + n + "\r\n\r\n" + b);
    attack.accept("negative Content-Length", "Content-Length: -1\r\n\r\n" + b);
    attack.accept("Content-Length with a plus sign", "Content-Length: +" + n + "\r\n\r\n" + b);
    attack.accept("Content-Length in hex", "Content-Length: 0x" + size + "\r\n\r\n" + b);
    attack.accept("Transfer-Encoding: chunked, identity", "Transfer-Encoding: chunked, identity\r\n\r\n" + chunked);
    attack.accept("Transfer-Encoding: identity, chunked", "Transfer-Encoding: identity, chunked\r\n\r\n" + chunked + smuggled);
    attack.accept("Transfer-Encoding: gzip, chunked", "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked);
    attack.accept("Transfer-Encoding with a leading space", "Transfer-Encoding:  chunked\r\n\r\n" + chunked);
    attack.accept("Transfer-Encoding: xchunked", "Transfer-Encoding: xchunked\r\n\r\n" + chunked);
    attack.accept("Transfer-Encoding: Chunked (case)", "Transfer-Encoding: Chunked\r\n\r\n" + chunked);
    attack.accept("Transfer-Encoding with a tab", "Transfer-Encoding:\tchunked\r\n\r\n" + chunked);
    attack.accept("Transfer-Encoding with a vertical tab", "Transfer-Encoding: \u000bchunked\r\n\r\n" + chunked + smuggled);
    attack.accept("Transfer-Encoding twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked);
    attack.accept("space before the colon", "Transfer-Encoding : chunked\r\n\r\n" + chunked + smuggled);
    rows.add(new Smuggling("bare LF line endings", heads.get().replace("\r\n", "\n") + "Content-Length: " + n + "\n\n" + b, false));
    attack.accept("bare LF inside the head", "X-A: 1\nContent-Length: " + n + "\r\n\r\n" + b);
    attack.accept("bare CR inside the head", "X-A: 1\rContent-Length: " + (n + 45) + "\r\n\r\n" + b + smuggled);
    attack.accept("obs-fold header folding", "X-Folded: a\r\n b\r\nContent-Length: " + n + "\r\n\r\n" + b);
    attack.accept("obs-fold on Transfer-Encoding", "Transfer-Encoding: identity\r\n chunked\r\n\r\n" + chunked);
    attack.accept("chunk size overflow", "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff1\r\n" + b + "\r\n0\r\n\r\n");
    attack.accept("chunk extension with a bare LF", "Transfer-Encoding: chunked\r\n\r\n" + size + ";x\n" + b + "\r\n0\r\n\r\n" + smuggled);
    attack.accept("request pipelined after the last chunk", "Transfer-Encoding: chunked\r\n\r\n" + chunked + smuggled);
    rows.add(new Smuggling("plain chunked (control)", heads.get() + "Transfer-Encoding: chunked\r\n\r\n" + chunked, true));
    rows.add(new Smuggling("plain Content-Length (control)", heads.get() + "Content-Length: " + n + "\r\n\r\n" + b, true));
    return List.copyOf(rows);
  }

  /** Returns {@code body}'s UTF-8 bytes as the ISO-8859-1 string {@link RawClient} sends byte for byte. */
  static String wire(String body) {
    return new String(body.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /**
   * Asserts {@code bytes} is one request: one request line, CRLF only, no folding, at most one
   * framing header, and nothing after the body that header frames.
   */
  static void assertWellFormedSingleRequest(String bytes) {
    int end = bytes.indexOf("\r\n\r\n");
    assertThat(end).as("end of head in %s", bytes).isPositive();
    String head = bytes.substring(0, end + 2);
    String rest = bytes.substring(end + 4);
    assertThat(head.replace("\r\n", "")).as("bare CR or LF in the head").doesNotContain("\n").doesNotContain("\r");
    String[] lines = head.split("\r\n");
    assertThat(lines[0]).as("request line").matches("[A-Z]+ /\\S* HTTP/1\\.1");
    long contentLengths = 0;
    long transferEncodings = 0;
    long length = -1;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      assertThat(line).as("header line").doesNotStartWith(" ").doesNotStartWith("\t")
          .matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*");
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        contentLengths++;
        String value = line.substring(15).trim();
        assertThat(value).as("Content-Length").matches("[0-9]+");
        length = Long.parseLong(value);
      } else if (lower.startsWith("transfer-encoding:")) {
        transferEncodings++;
        assertThat(lower.substring(18).trim()).as("Transfer-Encoding").isEqualTo("chunked");
      }
    }
    assertThat(contentLengths + transferEncodings).as("framing headers").isLessThanOrEqualTo(1);
    if (contentLengths == 1) {
      assertThat((long) rest.length()).as("bytes after the head").isEqualTo(length);
    } else if (transferEncodings == 1) {
      int at = 0;
      while (true) {
        int lineEnd = rest.indexOf("\r\n", at);
        assertThat(lineEnd).as("chunk size line").isPositive();
        String size = rest.substring(at, lineEnd).split(";")[0].trim();
        assertThat(size).as("chunk size").matches("[0-9A-Fa-f]{1,7}");
        int n = Integer.parseInt(size, 16);
        at = lineEnd + 2 + n;
        if (n == 0) {
          assertThat(rest.substring(Math.min(at, rest.length()))).as("after the last chunk").isEqualTo("\r\n");
          break;
        }
        assertThat(rest.startsWith("\r\n", at)).as("CRLF after chunk data").isTrue();
        at += 2;
      }
    } else {
      assertThat(rest).as("bytes after a head without framing").isEmpty();
    }
  }
}
