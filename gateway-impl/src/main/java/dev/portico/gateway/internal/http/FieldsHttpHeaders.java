package dev.portico.gateway.internal.http;

import dev.portico.gateway.HttpHeaders;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * {@link HttpHeaders} as a view over Jetty's immutable {@link HttpFields}: filters read the
 * server's own header storage without a copy. Not public API.
 */
public final class FieldsHttpHeaders implements HttpHeaders {
  private final HttpFields fields;

  /** Wraps {@code fields}, which must not change afterwards. */
  public FieldsHttpHeaders(HttpFields fields) {
    this.fields = fields;
  }

  /** Returns the wrapped fields. */
  public HttpFields fields() {
    return fields;
  }

  @Override
  public Optional<String> first(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  @Override
  public List<String> all(String name) {
    List<String> values = fields.getValuesList(name);
    return values.isEmpty() ? List.of() : Collections.unmodifiableList(values);
  }

  @Override
  public boolean contains(String name) {
    return fields.contains(name);
  }

  @Override
  public int size() {
    return fields.size();
  }

  @Override
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    for (HttpField field : fields) {
      names.add(field.getLowerCaseName());
    }
    return Collections.unmodifiableSet(names);
  }

  @Override
  public void forEach(BiConsumer<String, String> action) {
    for (HttpField field : fields) {
      action.accept(field.getName(), field.getValue());
    }
  }

  /** Returns {@code headers} as Jetty fields: the wrapped ones for a view, a copy otherwise. */
  public static HttpFields fields(HttpHeaders headers) {
    if (headers instanceof FieldsHttpHeaders view) {
      return view.fields;
    }
    HttpFields.Mutable out = HttpFields.build(headers.size());
    headers.forEach(out::add);
    return out.asImmutable();
  }

  /** Copies {@code headers} into {@code out}, without re-validating Jetty-backed ones. */
  public static void copy(HttpHeaders headers, HttpFields.Mutable out) {
    if (headers instanceof FieldsHttpHeaders view) {
      for (HttpField field : view.fields) {
        out.add(field);
      }
    } else {
      headers.forEach(out::add);
    }
  }

  @Override
  public String toString() {
    return "headers" + names().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
  }
}
