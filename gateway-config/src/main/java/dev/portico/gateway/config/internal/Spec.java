package dev.portico.gateway.config.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The keys of one kind of object in a configuration file, defined once: the reader, the JSON
 * Schema and the Markdown reference are all made from it. {@code C} is what the keys are applied
 * to, usually the builder of the object. Not public API.
 */
public final class Spec<C> {

  /** Applies one key's value to the target. */
  @FunctionalInterface
  public interface Applier<C> {
    /** Applies {@code value}, already checked to have the key's type, to {@code target}. */
    void apply(C target, Value value);
  }

  /**
   * One key.
   *
   * @param name the key as written in the file
   * @param type the value's shape
   * @param required whether the object must have it
   * @param defaultValue what applies when the key is absent, for the reference; null when nothing needs saying
   * @param doc one line for the reference and the schema's description
   * @param applier how the value reaches the builder
   */
  public record Key<C>(String name, Type type, boolean required, @Nullable String defaultValue, String doc,
      Applier<C> applier) {}

  private final String title;
  private final String doc;
  private final List<Key<C>> keys = new ArrayList<>();
  private boolean exactlyOne;

  private Spec(String title, String doc) {
    this.title = title;
    this.doc = doc;
  }

  /** A new object kind, named {@code title} in the reference and the schema. */
  public static <C> Spec<C> of(String title, String doc) {
    return new Spec<>(title, doc);
  }

  /** Adds an optional key. */
  public Spec<C> key(String name, Type type, String doc, Applier<C> applier) {
    keys.add(new Key<>(name, type, false, null, doc, applier));
    return this;
  }

  /** Adds an optional key whose absence means {@code defaultValue}. */
  public Spec<C> key(String name, Type type, String defaultValue, String doc, Applier<C> applier) {
    keys.add(new Key<>(name, type, false, defaultValue, doc, applier));
    return this;
  }

  /** Adds a key the object must have. */
  public Spec<C> required(String name, Type type, String doc, Applier<C> applier) {
    keys.add(new Key<>(name, type, true, null, doc, applier));
    return this;
  }

  /** Says that an object of this kind has exactly one of its keys (it chooses a variant). */
  public Spec<C> exactlyOne() {
    this.exactlyOne = true;
    return this;
  }

  /** The name in the reference and the schema. */
  public String title() {
    return title;
  }

  /** What the object is, one paragraph. */
  public String doc() {
    return doc;
  }

  /** The keys, in the order they are applied. */
  public List<Key<C>> keys() {
    return keys;
  }

  /** Whether exactly one key must be given. */
  public boolean isExactlyOne() {
    return exactlyOne;
  }

  /** The key named {@code name}. */
  public Optional<Key<C>> key(String name) {
    return keys.stream().filter(k -> k.name().equals(name)).findFirst();
  }

  /** The key names, in order. */
  public List<String> names() {
    return keys.stream().map(Key::name).toList();
  }
}
