package dev.portico.gateway.transform;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A JSON body transformation, for the upstream request ({@code Route.Builder.requestJson}) or the
 * upstream's response ({@code Route.Builder.responseJson}): field operations addressed by JSON
 * Pointer (RFC 6901), and functions over the whole tree, applied in order.
 *
 * <pre>{@code
 * JsonTransform.builder()
 *     .rename("/customer_id", "/customerId")
 *     .remove("/internal")
 *     .set("/meta/requestId", "{requestId}")       // a string; a ValueTemplate
 *     .set("/meta/version", 2)
 *     .addJson("/tags", "[]")                      // an empty array, only when absent
 *     .maxBodySize(256 * 1024)
 *     .build();
 * }</pre>
 *
 * <p>Only bodies with a JSON media type ({@code application/json}, {@code application/*+json}) are
 * transformed; others pass untouched. A body is held in memory to be transformed, and only up to
 * {@link #maxBodySize()} bytes (after gzip decoding): a larger request is refused with 413, a
 * larger response is handled by {@link #responseFallback()}. The transformed body is sent with a
 * recomputed {@code Content-Length}. A gzip-encoded body is decoded, transformed and sent
 * uncompressed, without {@code Content-Encoding}.
 *
 * <p>Operations, for a pointer {@code /a/b}:
 * <ul>
 *   <li>{@code set}: writes the value, replacing what is there and creating missing parent objects;
 *   <li>{@code add}: writes the value only when nothing is there yet;
 *   <li>{@code remove}: removes the member (or array element), if present;
 *   <li>{@code rename}: moves the value to another pointer, if present;
 *   <li>{@code function}: runs a function over the whole tree; see {@link TreeFunction}.
 * </ul>
 * A pointer whose parent is missing, or is not an object or array, makes {@code remove} and
 * {@code rename} do nothing. The JSON text of {@code setJson}/{@code addJson} is parsed when the
 * engine is created, which fails naming the route if it is not JSON. Immutable and thread-safe.
 */
public final class JsonTransform {
  /** The default {@link #maxBodySize()}: 1 MiB. */
  public static final long DEFAULT_MAX_BODY_SIZE = 1024 * 1024;

  /** What happens to a response that cannot be transformed. */
  public enum ResponseFallback {
    /** The response goes to the client untransformed, streamed as it came. */
    PASS_THROUGH,
    /** The client gets a 502 {@code bad-upstream-response} problem instead. */
    REJECT
  }

  /** What an operation does. */
  public enum Op {
    /** Writes a value where there is none. */
    ADD,
    /** Writes a value, replacing any. */
    SET,
    /** Removes a value. */
    REMOVE,
    /** Moves a value to another pointer. */
    RENAME,
    /** Runs a {@link TreeFunction}. */
    FUNCTION
  }

  /** The kind of a literal value. */
  public enum ValueKind {
    /** A JSON string rendered from a {@link ValueTemplate}. */
    STRING,
    /** A JSON number. */
    NUMBER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** Any JSON text (object, array, null...), parsed when the engine is created. */
    JSON
  }

  /**
   * A value to write.
   *
   * @param kind its kind
   * @param text the template source (for strings) or the JSON text
   */
  public record Value(ValueKind kind, String text) {
    /** Validates the components. */
    public Value {
      requireNonNull(kind, "kind");
      requireNonNull(text, "text");
    }
  }

  /**
   * One operation.
   *
   * @param op what it does
   * @param pointer the JSON Pointer it applies to (empty for {@code FUNCTION})
   * @param target the pointer a {@code RENAME} moves to
   * @param value the value of {@code ADD} and {@code SET}
   * @param function the function of {@code FUNCTION}
   */
  public record Operation(Op op, String pointer, @Nullable String target, @Nullable Value value,
      @Nullable TreeFunction function) {
    /** Validates the components. */
    public Operation {
      requireNonNull(op, "op");
      requireNonNull(pointer, "pointer");
    }
  }

  /**
   * A function over the parsed JSON tree. The tree's type belongs to the engine, so this interface
   * only marks such functions: gateway-impl's {@code dev.portico.gateway.transform.json.JacksonTreeFunction}
   * is the one to implement (it receives and returns a Jackson 3 {@code JsonNode}). The engine
   * refuses, naming the route, a function it cannot run.
   */
  public interface TreeFunction {}

  private final List<Operation> operations;
  private final long maxBodySize;
  private final ResponseFallback responseFallback;

  private JsonTransform(Builder b) {
    this.operations = List.copyOf(b.operations);
    this.maxBodySize = b.maxBodySize;
    this.responseFallback = b.responseFallback;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the operations, in the order they apply. */
  public List<Operation> operations() {
    return operations;
  }

  /** Returns the largest body, in bytes after decoding, that is transformed. */
  public long maxBodySize() {
    return maxBodySize;
  }

  /** Returns what happens to a response that cannot be transformed (too large, not JSON, an unknown encoding). */
  public ResponseFallback responseFallback() {
    return responseFallback;
  }

  /** Returns the path variables the string values use, for the route's build-time check. */
  public List<String> pathVariables() {
    List<String> names = new ArrayList<>();
    for (Operation op : operations) {
      if (op.value() != null && op.value().kind() == ValueKind.STRING) {
        names.addAll(ValueTemplate.parse(op.value().text()).pathVariables());
      }
    }
    return List.copyOf(names);
  }

  @Override
  public String toString() {
    return "JsonTransform" + operations.stream().map(o -> o.op() + " " + o.pointer()).toList();
  }

  /** Builds a {@link JsonTransform}; {@link #build()} reports the first invalid operation. */
  public static final class Builder {
    private final List<Operation> operations = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private long maxBodySize = DEFAULT_MAX_BODY_SIZE;
    private ResponseFallback responseFallback = ResponseFallback.REJECT;

    Builder() {}

    /** Sets {@code pointer} to the string {@code template}, a {@link ValueTemplate}. */
    public Builder set(String pointer, String template) {
      return write(Op.SET, pointer, ValueKind.STRING, template);
    }

    /** Sets {@code pointer} to a number. */
    public Builder set(String pointer, long number) {
      return write(Op.SET, pointer, ValueKind.NUMBER, Long.toString(number));
    }

    /** Sets {@code pointer} to a boolean. */
    public Builder set(String pointer, boolean value) {
      return write(Op.SET, pointer, ValueKind.BOOLEAN, Boolean.toString(value));
    }

    /** Sets {@code pointer} to the JSON value {@code json} (an object, array, {@code null}...). */
    public Builder setJson(String pointer, String json) {
      return write(Op.SET, pointer, ValueKind.JSON, json);
    }

    /** Adds the string {@code template} at {@code pointer} when nothing is there. */
    public Builder add(String pointer, String template) {
      return write(Op.ADD, pointer, ValueKind.STRING, template);
    }

    /** Adds a number at {@code pointer} when nothing is there. */
    public Builder add(String pointer, long number) {
      return write(Op.ADD, pointer, ValueKind.NUMBER, Long.toString(number));
    }

    /** Adds a boolean at {@code pointer} when nothing is there. */
    public Builder add(String pointer, boolean value) {
      return write(Op.ADD, pointer, ValueKind.BOOLEAN, Boolean.toString(value));
    }

    /** Adds the JSON value {@code json} at {@code pointer} when nothing is there. */
    public Builder addJson(String pointer, String json) {
      return write(Op.ADD, pointer, ValueKind.JSON, json);
    }

    /** Removes the value at {@code pointer}, if any. */
    public Builder remove(String pointer) {
      if (checkPointer("remove", pointer)) {
        operations.add(new Operation(Op.REMOVE, pointer, null, null, null));
      }
      return this;
    }

    /** Moves the value at {@code from} to {@code to}, if there is one. */
    public Builder rename(String from, String to) {
      if (checkPointer("rename", from) && checkPointer("rename", to)) {
        operations.add(new Operation(Op.RENAME, from, to, null, null));
      }
      return this;
    }

    /** Runs {@code function} over the whole tree; see {@link TreeFunction}. */
    public Builder function(TreeFunction function) {
      operations.add(new Operation(Op.FUNCTION, "", null, null, requireNonNull(function, "function")));
      return this;
    }

    /** Sets the largest body transformed, in bytes after decoding (default 1 MiB). */
    public Builder maxBodySize(long bytes) {
      if (bytes <= 0) {
        errors.add("maxBodySize: " + bytes + " (expected: > 0)");
      } else {
        this.maxBodySize = bytes;
      }
      return this;
    }

    /** Sets what happens to a response that cannot be transformed (default {@code REJECT}). */
    public Builder responseFallback(ResponseFallback fallback) {
      this.responseFallback = requireNonNull(fallback, "fallback");
      return this;
    }

    /**
     * Returns the immutable transform.
     *
     * @throws IllegalArgumentException naming the first bad operation: an invalid JSON Pointer,
     *     an invalid template, a bad size, or no operation at all
     */
    public JsonTransform build() {
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(errors.get(0));
      }
      if (operations.isEmpty()) {
        throw new IllegalArgumentException("no operations");
      }
      return new JsonTransform(this);
    }

    private Builder write(Op op, String pointer, ValueKind kind, String text) {
      requireNonNull(text, "value");
      String what = op == Op.ADD ? "add" : "set";
      if (!checkPointer(what, pointer)) {
        return this;
      }
      if (kind == ValueKind.STRING) {
        try {
          ValueTemplate.parse(text);
        } catch (IllegalArgumentException e) {
          errors.add(what + " " + pointer + ": " + e.getMessage());
          return this;
        }
      }
      operations.add(new Operation(op, pointer, null, new Value(kind, text), null));
      return this;
    }

    private boolean checkPointer(String what, String pointer) {
      requireNonNull(pointer, "pointer");
      String problem = pointerProblem(pointer);
      if (problem != null) {
        errors.add(what + ": JSON Pointer '" + pointer + "' " + problem);
        return false;
      }
      return true;
    }

    private static @Nullable String pointerProblem(String pointer) {
      if (pointer.isEmpty()) {
        return "is the whole document (expected: a member such as /name)";
      }
      if (pointer.charAt(0) != '/') {
        return "does not start with '/'";
      }
      for (int i = 0; i < pointer.length(); i++) {
        if (pointer.charAt(i) == '~') {
          char next = i + 1 < pointer.length() ? pointer.charAt(i + 1) : 0;
          if (next != '0' && next != '1') {
            return "has '~' not followed by 0 or 1 (write ~0 for '~' and ~1 for '/')";
          }
        }
      }
      return null;
    }
  }
}
