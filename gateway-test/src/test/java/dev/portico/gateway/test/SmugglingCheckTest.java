package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The check the smuggling table relies on fails where it should, so its passing rows mean something. */
class SmugglingCheckTest {
  @Test
  void rejectsASecondRequestAfterABodylessOne() {
    String two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";

    assertThatThrownBy(() -> SmugglingRequests.assertWellFormedSingleRequest(two)).isInstanceOf(AssertionError.class);
  }

  @Test
  void rejectsBytesBeyondTheContentLength() {
    String extra = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\n";

    assertThatThrownBy(() -> SmugglingRequests.assertWellFormedSingleRequest(extra)).isInstanceOf(AssertionError.class);
  }

  @Test
  void rejectsTwoFramingHeadersAndFoldedLines() {
    assertThatThrownBy(() -> SmugglingRequests.assertWellFormedSingleRequest(
        "POST /a HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> SmugglingRequests.assertWellFormedSingleRequest(
        "POST /a HTTP/1.1\r\nX-A: a\r\n b\r\nContent-Length: 5\r\n\r\nhello"))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void acceptsOneChunkedAndOneSizedRequest() {
    assertThatCode(() -> SmugglingRequests.assertWellFormedSingleRequest(
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")).doesNotThrowAnyException();
    assertThatCode(() -> SmugglingRequests.assertWellFormedSingleRequest(
        "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")).doesNotThrowAnyException();
  }
}
