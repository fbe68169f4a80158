package dev.portico.gateway.internal.http;

import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.jspecify.annotations.Nullable;

/**
 * The requests the gateway refuses before routing, because what it would route on and what it
 * would forward could differ: the gateway must see one message, the same one the upstream sees.
 * Not public API.
 * <ul>
 *   <li><b>A method with a lower-case letter</b> ({@code delete}): methods are case-sensitive
 *       (RFC 9110 section 9.1), so {@code delete} is not {@code DELETE} and matches no route that
 *       names {@code DELETE}; but the upstream client sends methods upper-cased, and many servers
 *       and frameworks read them without regard to case. Every registered method is upper case, so
 *       such a method is refused with 501 ({@link ProblemType#METHOD_NOT_IMPLEMENTED}), on every
 *       route and before a request could be handed back to the host.
 *   <li><b>A transfer coding other than chunked alone</b> ({@code gzip, chunked},
 *       {@code identity, chunked}): the gateway forwards the body de-chunked and re-framed, so a
 *       coding under the chunks would reach the upstream undeclared. RFC 9112 section 6.1 answers a
 *       transfer coding the server does not understand with 501
 *       ({@link ProblemType#TRANSFER_CODING_NOT_IMPLEMENTED}), which is also what Tomcat answers
 *       on its own.
 *   <li><b>More than one {@code Content-Type}</b>, as two fields or as a list in one: the body
 *       policies would read one media type and the upstream might read another, so a validation
 *       or transform could be skipped. Refused with 400 ({@link ProblemType#BAD_REQUEST}) on every
 *       route: a gateway never forwards an ambiguous message, and a route without body policies
 *       today may get one tomorrow.
 * </ul>
 */
public final class UnforwardableRequest {
  private UnforwardableRequest() {}

  /** Returns the problem to answer {@code method} and {@code headers} with, or null when they can be forwarded. */
  public static @Nullable Problem check(String method, HttpFields headers) {
    if (hasLowerCase(method)) {
      return ProblemType.METHOD_NOT_IMPLEMENTED.withDetail("Method " + printable(method)
          + " is not implemented: methods are case-sensitive, and the gateway takes them in upper case only.");
    }
    String coding = unsupportedTransferCoding(headers);
    if (coding != null) {
      return ProblemType.TRANSFER_CODING_NOT_IMPLEMENTED.withDetail("Transfer-Encoding " + printable(coding)
          + " is not implemented: the gateway accepts chunked alone.");
    }
    if (isAmbiguousContentType(headers)) {
      return ProblemType.BAD_REQUEST.withDetail("The request has more than one Content-Type.");
    }
    return null;
  }

  /** Whether {@code method} has a letter {@code a-z}: what the upstream client would change. */
  public static boolean hasLowerCase(String method) {
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      if (c >= 'a' && c <= 'z') {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the request's transfer codings as sent when they are anything but one {@code chunked}
   * (in any case), or null. Two fields that each say {@code chunked} are two codings, refused too.
   */
  private static @Nullable String unsupportedTransferCoding(HttpFields headers) {
    StringBuilder all = null;
    int codings = 0;
    boolean onlyChunked = true;
    for (int i = 0; i < headers.size(); i++) {   // indexed: no iterator per request
      HttpField field = headers.getField(i);
      if (field.getHeader() != HttpHeader.TRANSFER_ENCODING) {
        continue;
      }
      String value = field.getValue();
      all = all == null ? new StringBuilder(value) : all.append(", ").append(value);
      for (String coding : value.split(",", -1)) {
        String trimmed = coding.trim();
        if (trimmed.isEmpty()) {
          continue;   // an empty list element (RFC 9110 section 5.6.1): tolerated
        }
        codings++;
        onlyChunked &= trimmed.equalsIgnoreCase("chunked");
      }
    }
    if (all == null || codings == 1 && onlyChunked) {
      return null;
    }
    return all.toString();
  }

  /**
   * Whether the request has more than one Content-Type: two fields, or one field that is a list
   * (a comma outside a quoted string; a quoted parameter may hold a comma).
   */
  static boolean isAmbiguousContentType(HttpFields headers) {
    String value = null;
    for (int i = 0; i < headers.size(); i++) {
      HttpField field = headers.getField(i);
      if (field.getHeader() == HttpHeader.CONTENT_TYPE
          || field.getHeader() == null && field.getName().equalsIgnoreCase("Content-Type")) {
        if (value != null) {
          return true;
        }
        value = field.getValue();
      }
    }
    return value != null && hasUnquotedComma(value);
  }

  private static boolean hasUnquotedComma(String value) {
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        return true;
      }
    }
    return false;
  }

  private static String printable(String value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && i < 40; i++) {
      char c = value.charAt(i);
      sb.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return sb.toString();
  }
}
