package dev.portico.gateway.server;

import dev.portico.gateway.ProblemType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals, before any handler runs, as problems rather than Jetty's HTML pages: a
 * request Jetty cannot parse (400), headers too large (431), a TLS request whose {@code Host} is not
 * a name of the certificate the client asked for by SNI (400). The status is Jetty's; the type is the
 * gateway's for the statuses it has one for, {@code about:blank} with the status's reason otherwise.
 * No detail: Jetty's message may quote what the client sent.
 */
final class ProblemErrorHandler extends ErrorHandler {
  private static final Map<Integer, ProblemType> TYPES = Map.of(
      400, ProblemType.BAD_REQUEST,
      404, ProblemType.NO_ROUTE,
      405, ProblemType.METHOD_NOT_ALLOWED,
      408, ProblemType.REQUEST_TIMEOUT,
      413, ProblemType.PAYLOAD_TOO_LARGE,
      500, ProblemType.INTERNAL,
      501, ProblemType.METHOD_NOT_IMPLEMENTED);

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus() >= 400 && response.getStatus() < 600 ? response.getStatus() : 500;
    ProblemType type = TYPES.get(status);
    String body = type != null
        ? "{\"type\":\"" + type.type() + "\",\"title\":\"" + type.title() + "\",\"status\":" + status + "}"
        : "{\"type\":\"about:blank\",\"title\":\"" + HttpStatus.getMessage(status) + "\",\"status\":" + status + "}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    boolean head = HttpMethod.HEAD.is(request.getMethod());
    response.write(true, head ? null : ByteBuffer.wrap(bytes), callback);
    return true;
  }
}
