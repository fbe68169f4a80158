package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;

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

  /** Rows for {@code method} on {@code path} with {@code token}; each carries the body {@code hello}. */
  static List<Smuggling> rows(String method, String path, String host, String token) {
    String smuggled = "GET " + SMUGGLED_PATH + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token
        + "\r\nConnection: close\r\n";
    String chunked = "5\r\nhello\r\n0\r\n\r\n";
    return List.of(
        attack("Content-Length and Transfer-Encoding", head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
        attack("Transfer-Encoding then Content-Length", head + "Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n" + smuggled),
        attack("duplicate Content-Length, same value", head + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
        attack("conflicting Content-Length", head + "Content-Length: 5\r\nContent-Length: 45\r\n\r\nhello" + smuggled),
        attack("Content-Length list", head + "Content-Length: 5, 5\r\n\r\nhello"),
        attack("negative Content-Length", head + "Content-Length: -1\r\n\r\nhello"),
        attack("Content-Length with a plus sign", head + "Content-Length: +5\r\n\r\nhello"),
        attack("Content-Length in hex", head + "Content-Length: 0x5\r\n\r\nhello"),
        attack("Transfer-Encoding: chunked, identity", head + "Transfer-Encoding: chunked, identity\r\n\r\n" + chunked),
        attack("Transfer-Encoding: identity, chunked", head + "Transfer-Encoding: identity, chunked\r\n\r\n" + chunked + smuggled),
        attack("Transfer-Encoding: gzip, chunked", head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked),
        attack("Transfer-Encoding with a leading space", head + "Transfer-Encoding:  chunked\r\n\r\n" + chunked),
        attack("Transfer-Encoding: xchunked", head + "Transfer-Encoding: xchunked\r\n\r\n" + chunked),
        attack("Transfer-Encoding: Chunked (case)", head + "Transfer-Encoding: Chunked\r\n\r\n" + chunked),
        attack("Transfer-Encoding with a tab", head + "Transfer-Encoding:\tchunked\r\n\r\n" + chunked),
        attack("Transfer-Encoding with a vertical tab", head + "Transfer-Encoding: \u000bchunked\r\n\r\n" + chunked + smuggled),
        attack("Transfer-Encoding twice", head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked),
        attack("space before the colon", head + "Transfer-Encoding : chunked\r\n\r\n" + chunked + smuggled),
        attack("bare LF line endings", head.replace("\r\n", "\n") + "Content-Length: 5\n\nhello"),
        attack("bare LF inside the head", head + "X-A: 1\nContent-Length: 5\r\n\r\nhello"),
        attack("bare CR inside the head", head + "X-A: 1\rContent-Length: 50\r\n\r\nhello" + smuggled),
        attack("obs-fold header folding", head + "X-Folded: a\r\n b\r\nContent-Length: 5\r\n\r\nhello"),
        attack("obs-fold on Transfer-Encoding", head + "Transfer-Encoding: identity\r\n chunked\r\n\r\n" + chunked),
        attack("chunk size overflow", head + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff1\r\nhello\r\n0\r\n\r\n"),
        attack("chunk extension with a bare LF", head + "Transfer-Encoding: chunked\r\n\r\n5;x\nhello\r\n0\r\n\r\n" + smuggled),
        attack("request pipelined after the last chunk", head + "Transfer-Encoding: chunked\r\n\r\n" + chunked + smuggled),
        control("plain chunked (control)", head + "Transfer-Encoding: chunked\r\n\r\n" + chunked),
        control("plain Content-Length (control)", head + "Content-Length: 5\r\n\r\nhello"));
  }

  private static Smuggling attack(String name, String raw) {
    return new Smuggling(name, raw, false);
  }

  private static Smuggling control(String name, String raw) {
    return new Smuggling(name, raw, true);
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
