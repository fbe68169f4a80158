package dev.portico.gateway.internal.body;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Content codings of bodies a policy reads: none, gzip (decoded with the JDK, under the same cap
 * as the body), or something the gateway does not decode. Not public API.
 */
public final class ContentCodings {
  /** How a body is encoded. */
  public enum Coding {
    IDENTITY, GZIP, UNSUPPORTED
  }

  private ContentCodings() {}

  /** Returns the coding {@code Content-Encoding} names; a chain of several is unsupported. */
  public static Coding of(@Nullable String contentEncoding) {
    if (contentEncoding == null) {
      return Coding.IDENTITY;
    }
    String coding = contentEncoding.trim().toLowerCase(Locale.ROOT);
    return switch (coding) {
      case "", "identity" -> Coding.IDENTITY;
      case "gzip", "x-gzip" -> Coding.GZIP;
      default -> Coding.UNSUPPORTED;
    };
  }

  /**
   * Decodes gzip {@code bytes}; returns null when the decoded body would be larger than {@code cap}.
   *
   * @throws IOException when {@code bytes} are not valid gzip
   */
  public static byte @Nullable [] gunzip(byte[] bytes, long cap) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(cap, Math.max(1024, bytes.length * 4L)));
    byte[] chunk = new byte[8192];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 8192)) {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        if (out.size() + (long) n > cap) {
          return null;
        }
        out.write(chunk, 0, n);
      }
    }
    return out.toByteArray();
  }

  /** Returns whether {@code contentType} is a JSON media type: any {@code json} subtype or {@code +json} suffix. */
  public static boolean isJson(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    int slash = type.indexOf('/');
    if (slash <= 0) {
      return false;
    }
    String subtype = type.substring(slash + 1);
    return subtype.equals("json") || subtype.endsWith("+json") && subtype.length() > 5;
  }
}
