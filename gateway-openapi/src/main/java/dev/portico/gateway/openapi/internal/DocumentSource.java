package dev.portico.gateway.openapi.internal;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where a document comes from: a file, a URL or text, and its name in messages. Not public API.
 *
 * @param name the name in messages
 * @param location what swagger-parser reads (a path or URL), null for text
 * @param text the document's text, null for a location
 * @param file the file, when the document is one (to say when it is missing)
 */
public record DocumentSource(String name, @Nullable String location, @Nullable String text, @Nullable Path file) {

  /** The document in {@code file}. */
  public static DocumentSource file(Path file) {
    return new DocumentSource(file.toString(), file.toAbsolutePath().toString(), null, file);
  }

  /** The document at {@code url}. */
  public static DocumentSource url(URL url) {
    return new DocumentSource(url.toString(), url.toString(), null, null);
  }

  /** The document whose text is {@code text}. */
  public static DocumentSource text(String text, String name) {
    return new DocumentSource(name, null, text, null);
  }

  /** Why the document cannot be read before parsing, if it is a file that is not there; null otherwise. */
  @Nullable String missing() {
    if (file == null) {
      return null;
    }
    if (!Files.exists(file)) {
      return "no such file";
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      return "not a readable file";
    }
    return null;
  }
}
