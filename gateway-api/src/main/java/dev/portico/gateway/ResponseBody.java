package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * The body of a {@link GatewayResponse}.
 *
 * <p>Bodies the gateway proxies are streams owned by the engine: filters see only their length (if
 * the upstream declared one) and pass them on. Filters that answer by themselves use
 * {@link #of(byte[])} or {@link #empty()}.
 */
public interface ResponseBody {

  /** Returns the empty body. */
  static ResponseBody empty() {
    return BytesBody.EMPTY;
  }

  /** Returns a body of {@code bytes}; the array is copied. */
  static ResponseBody of(byte[] bytes) {
    return bytes.length == 0 ? BytesBody.EMPTY : new BytesBody(bytes.clone());
  }

  /** Returns a UTF-8 body of {@code text}. */
  static ResponseBody ofUtf8(String text) {
    return new BytesBody(requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the length in bytes when known in advance. */
  OptionalLong length();

  /** A body held in memory. */
  final class BytesBody implements ResponseBody {
    static final BytesBody EMPTY = new BytesBody(new byte[0]);

    private final byte[] bytes;

    private BytesBody(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public OptionalLong length() {
      return OptionalLong.of(bytes.length);
    }

    /** Returns a copy of the bytes. */
    public byte[] bytes() {
      return bytes.clone();
    }

    /** Returns the number of bytes; {@link #length()} as an int. */
    public int size() {
      return bytes.length;
    }

    /** Writes the bytes to {@code sink} without copying them. */
    public void writeTo(java.util.function.Consumer<java.nio.ByteBuffer> sink) {
      sink.accept(java.nio.ByteBuffer.wrap(bytes).asReadOnlyBuffer());
    }
  }
}
