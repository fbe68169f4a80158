package dev.portico.gateway.benchmarks;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The {@code jetty-static} load-test target: Jetty answering {@code /1k} and {@code /64k} from
 * memory with the upstream's bodies, as nginx serves them, and 404 otherwise.
 *
 * <p>No gateway can cost a request less than the server it runs in: this target measures that
 * server alone (accepting, parsing, one write of head and body), so a proxy's rate against it
 * shows how much of the machine the proxying itself takes.
 */
final class StaticBodies extends Handler.Abstract {
  private static final PreEncodedHttpField CONTENT_TYPE =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/octet-stream");
  private final ByteBuffer small = body(1024);
  private final ByteBuffer large = body(65536);

  StaticBodies() {
    super(InvocationType.NON_BLOCKING);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    ByteBuffer body = switch (Request.getPathInContext(request)) {
      case "/1k" -> small;
      case "/64k" -> large;
      default -> null;
    };
    if (body == null) {
      Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
      return true;
    }
    response.getHeaders().put(CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
    response.write(true, body.slice(), callback);
    return true;
  }

  private static ByteBuffer body(int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'a');
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }
}
