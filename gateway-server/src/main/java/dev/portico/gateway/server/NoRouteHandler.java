package dev.portico.gateway.server;

import dev.portico.gateway.ProblemType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The last handler: a request no route matched is answered 404 {@code no-route}, as a problem,
 * rather than with Jetty's HTML error page. A library host hands such requests to its own handlers;
 * the standalone server has none.
 */
final class NoRouteHandler extends Handler.Abstract.NonBlocking {
  private static final ProblemType NO_ROUTE = ProblemType.NO_ROUTE;
  private static final byte[] BODY = ("{\"type\":\"" + NO_ROUTE.type() + "\",\"title\":\"" + NO_ROUTE.title()
      + "\",\"status\":" + NO_ROUTE.status() + "}").getBytes(StandardCharsets.UTF_8);

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    response.setStatus(NO_ROUTE.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.length);
    boolean head = HttpMethod.HEAD.is(request.getMethod());
    response.write(true, head ? null : ByteBuffer.wrap(BODY), callback);
    return true;
  }
}
