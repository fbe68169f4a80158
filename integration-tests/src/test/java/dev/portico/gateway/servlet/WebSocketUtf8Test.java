package dev.portico.gateway.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.testing.WebSocketPeers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A text message that is not UTF-8 is relayed by no adapter, in neither direction: both sides are
 * closed with 1007, whatever frames the bytes are split across. The frames are hand-made: the
 * websocket-core client and the echo upstream send whatever bytes they are given.
 */
class WebSocketUtf8Test {
  private WebSocketPeers.EchoServer upstream;
  private WebSocketPeers.Client client;
  private Mounting.Running host;

  @BeforeEach
  void start() throws Exception {
    upstream = new WebSocketPeers.EchoServer();
    client = new WebSocketPeers.Client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  /**
   * Starts {@code gateway} with the containers' WebSocket server: the core handler at the root, the
   * servlet under {@code /ctx}, as in a web application.
   */
  private static Mounting.Running start(Mounting mounting, Gateway gateway) throws Exception {
    String contextPath = mounting == Mounting.JETTY_HANDLER ? "" : "/ctx";
    return mounting.start(gateway, Mounting.Options.DEFAULTS.withContextPath(contextPath));
  }

  private void connect(Mounting mounting) throws Exception {
    host = start(mounting, Gateway.builder()
        .route("ws", r -> r.path("/ws/**").stripPrefix(1).upstream(upstream.uri()).websocket())
        .build());
    client.connect(host.ws("/ws/echo"), HttpFields.EMPTY).get(10, TimeUnit.SECONDS);
  }

  /** A text message that is not UTF-8: its frames' payloads in hex. */
  record BadText(String name, List<String> frames) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<BadText> badTexts() {
    return List.of(
        new BadText("a continuation byte with no lead", List.of("6f6b80")),
        new BadText("a message that ends inside a character", List.of("6f6be282")),
        new BadText("an overlong two-byte slash", List.of("c0af")),
        new BadText("an overlong three-byte form", List.of("e080af")),
        new BadText("a surrogate", List.of("eda080")),
        new BadText("a code point above U+10FFFF", List.of("f4908080")),
        new BadText("a lead byte F5", List.of("f5808080")),
        new BadText("split: the next frame does not continue the character", List.of("6f6be282", "28")),
        new BadText("split: the message ends inside a character", List.of("6f6b", "e282")));
  }

  static Stream<Arguments> mountingsAndBadTexts() {
    return Mounting.eachAdapter().flatMap(m -> badTexts().stream().map(t -> Arguments.of(m, t)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("mountingsAndBadTexts")
  void aClientTextMessageThatIsNotUtf8ClosesBothSidesWith1007(Mounting mounting, BadText text) throws Exception {
    connect(mounting);

    for (int i = 0; i < text.frames().size(); i++) {
      boolean last = i == text.frames().size() - 1;
      client.send(new Frame(i == 0 ? OpCode.TEXT : OpCode.CONTINUATION, last,
          ByteBuffer.wrap(HexFormat.of().parseHex(text.frames().get(i)))));
    }

    assertThat(client.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.BAD_PAYLOAD);
    assertThat(upstream.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.BAD_PAYLOAD);
    // A valid start may have been passed on; never the message's end, nor a byte that is not UTF-8.
    assertThat(upstream.received).noneMatch(Frame::isFin);
    assertThat(upstream.received).allSatisfy(f -> assertThat(isUtf8Prefix(f)).isTrue());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("mountingsAndBadTexts")
  void anUpstreamTextMessageThatIsNotUtf8ClosesBothSidesWith1007(Mounting mounting, BadText text) throws Exception {
    connect(mounting);

    client.send(new Frame(OpCode.TEXT, "raw:" + String.join("|", text.frames())));

    assertThat(client.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.BAD_PAYLOAD);
    assertThat(upstream.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.BAD_PAYLOAD);
    assertThat(client.untaken()).noneMatch(Frame::isFin);
    assertThat(client.untaken()).allSatisfy(f -> assertThat(isUtf8Prefix(f)).isTrue());
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aCharacterSplitAcrossFramesIsRelayedBothWays(Mounting mounting) throws Exception {
    connect(mounting);

    client.send(new Frame(OpCode.TEXT, false, ByteBuffer.wrap(HexFormat.of().parseHex("e2"))));
    client.send(new Frame(OpCode.CONTINUATION, true, ByteBuffer.wrap(HexFormat.of().parseHex("82ac"))));
    String echoed = message();
    client.send(new Frame(OpCode.TEXT, "raw:f09f|9880|e282|ac"));
    String sent = message();

    assertThat(echoed).isEqualTo("\u20ac");
    assertThat(sent).isEqualTo("\uD83D\uDE00\u20ac");
    assertThat(client.closed).isNotDone();
  }

  /** Reads the frames of the next message and returns its text. */
  private String message() throws InterruptedException {
    ByteBuffer all = ByteBuffer.allocate(1024);
    Frame frame;
    do {
      frame = client.next();
      all.put(frame.getPayload().slice());
    } while (!frame.isFin());
    return new String(all.array(), 0, all.position(), StandardCharsets.UTF_8);
  }

  /** Whether the frame's bytes are well-formed UTF-8, except perhaps for a character cut at the end. */
  private static boolean isUtf8Prefix(Frame frame) {
    ByteBuffer payload = frame.getPayload().slice();
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    for (int cut = 0; cut <= Math.min(3, bytes.length); cut++) {
      byte[] head = java.util.Arrays.copyOf(bytes, bytes.length - cut);
      if (StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(head), java.nio.CharBuffer.allocate(head.length), true)
          .isUnderflow()) {
        return true;
      }
    }
    return false;
  }
}
