package dev.portico.gateway.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.OutputStreamRequestContent;

/** Large bodies streamed through a test without ever being held whole: counted and checksummed. */
final class Payload {
  private Payload() {}

  /** What went through: the byte count and the CRC-32 of the bytes. */
  record Digest(long count, long crc) {}

  /** Writes {@code size} pseudo-random bytes to {@code upload}, closes it, and returns their digest. */
  static Digest send(OutputStreamRequestContent upload, long size) {
    SplittableRandom random = new SplittableRandom(42);
    CRC32 crc = new CRC32();
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = upload.getOutputStream()) {
      for (long left = size; left > 0; left -= block.length) {
        int n = (int) Math.min(block.length, left);
        for (int i = 0; i < n; i += 8) {
          long bits = random.nextLong();
          for (int j = 0; j < 8 && i + j < n; j++) {
            block[i + j] = (byte) (bits >>> (8 * j));
          }
        }
        crc.update(block, 0, n);
        out.write(block, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Digest(size, crc.getValue());
  }

  /** Reads the response body of {@code download} to its end and returns its digest. */
  static Digest receive(InputStreamResponseListener download) throws IOException {
    CRC32 crc = new CRC32();
    long count = 0;
    try (InputStream in = download.getInputStream()) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        crc.update(buffer, 0, n);
        count += n;
      }
    }
    return new Digest(count, crc.getValue());
  }
}
