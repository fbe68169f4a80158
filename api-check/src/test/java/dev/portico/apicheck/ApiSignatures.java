package dev.portico.apicheck;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.AnnotatedTypeVariable;
import java.lang.reflect.AnnotatedWildcardType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.TypeVariable;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of one set of compiled classes (a module's jar or classes directory) as sorted
 * text lines, one per package, type, field, constructor and method a user can reach: public types
 * (and public or protected nested types of them) in the packages {@code published} accepts, with
 * their public and protected members. Each line starts with the type's name, so a changed line
 * says whose member changed:
 *
 * <pre>
 * package dev.portico.gateway @NullMarked
 * dev.portico.gateway.Route.Builder: public final class Route.Builder
 * dev.portico.gateway.Route.Builder: public dev.portico.gateway.Route build()
 * </pre>
 *
 * <p>Generic signatures, modifiers, supertypes, permitted subclasses, checked exceptions, the
 * values of compile-time constants, runtime-visible annotations on declarations (by simple name)
 * and on types (JSpecify's {@code @Nullable}) are in the line; parameter names and bodies are not.
 * Classes are loaded through {@code loader} without being initialized, except to read constants.
 */
final class ApiSignatures {
  private ApiSignatures() {
  }

  /** Whether a package is an engine-internal one ({@code ...internal} or below it): never API. */
  static boolean isInternal(String packageName) {
    return packageName.endsWith(".internal") || packageName.contains(".internal.");
  }

  /**
   * The API lines of the classes under {@code classes} (a directory or a jar), in API order:
   * grouped by type, the type's line first.
   */
  static List<String> of(Path classes, ClassLoader loader, Predicate<String> published) {
    // Keyed by owner: a package's name sorts before its types' names ("dev.portico.gateway" <
    // "dev.portico.gateway.Gateway"), and a type's own line comes before its members'.
    TreeMap<String, List<String>> byOwner = new TreeMap<>();
    for (String name : classNames(classes)) {
      String packageName = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : "";
      if (!published.test(packageName)) {
        continue;
      }
      if (name.endsWith(".package-info")) {
        Class<?> info = load(name, loader);
        byOwner.put(packageName, List.of("package " + packageName + annotations(info, true)));
        continue;
      }
      Class<?> type = load(name, loader);
      if (reachable(type)) {
        try {
          byOwner.put(type.getCanonicalName(), describe(type));
        } catch (LinkageError e) {
          throw new IllegalStateException("cannot read the API of " + name + ": " + e
              + " (a type its signatures name is not on api-check's test class path: add its"
              + " artifact to api-check/pom.xml with <scope>test</scope>)", e);
        }
      }
    }
    return byOwner.values().stream().flatMap(List::stream).toList();
  }

  /** The lines (of {@code lines}) that name a type of an internal package. */
  static List<String> internalLeaks(List<String> lines) {
    return lines.stream().filter(line -> line.contains(".internal.")).toList();
  }

  private static List<String> describe(Class<?> type) {
    String owner = type.getCanonicalName() + ": ";
    List<String> lines = new ArrayList<>();
    lines.add(owner + typeLine(type));
    // Fields, then constructors, then methods, each sorted: reflection's order is unspecified.
    lines.addAll(sorted(Arrays.stream(type.getDeclaredFields())
        .filter(field -> visible(field) && !field.isSynthetic())
        .map(field -> owner + fieldLine(field))));
    lines.addAll(sorted(Arrays.stream(type.getDeclaredConstructors())
        .filter(constructor -> visible(constructor) && !constructor.isSynthetic())
        .map(constructor -> owner + executableLine(constructor, type))));
    lines.addAll(sorted(Arrays.stream(type.getDeclaredMethods())
        .filter(method -> visible(method) && !method.isSynthetic() && !method.isBridge())
        .map(method -> owner + executableLine(method, type))));
    return lines;
  }

  private static String typeLine(Class<?> type) {
    StringBuilder line = new StringBuilder(annotations(type, false));
    int modifiers = type.getModifiers() & Modifier.classModifiers();
    String kind;
    if (type.isAnnotation()) {
      kind = "@interface";
      modifiers &= ~(Modifier.ABSTRACT | Modifier.STATIC);
    } else if (type.isInterface()) {
      kind = "interface";
      modifiers &= ~(Modifier.ABSTRACT | Modifier.STATIC);
    } else if (type.isEnum()) {
      kind = "enum";
      modifiers &= ~(Modifier.FINAL | Modifier.STATIC);
    } else if (type.isRecord()) {
      kind = "record";
      modifiers &= ~(Modifier.FINAL | Modifier.STATIC);
    } else {
      kind = "class";
    }
    append(line, Modifier.toString(modifiers));
    if (type.isSealed()) {
      append(line, "sealed");
    }
    append(line, kind);
    append(line, nestedName(type) + typeParameters(type.getTypeParameters()));
    if (!type.isInterface() && !type.isEnum() && !type.isRecord()
        && type.getSuperclass() != null && type.getSuperclass() != Object.class) {
      append(line, "extends " + render(type.getAnnotatedSuperclass()));
    }
    List<String> interfaces = Arrays.stream(type.getAnnotatedInterfaces())
        .map(ApiSignatures::render)
        .filter(name -> !type.isAnnotation() || !name.equals("java.lang.annotation.Annotation"))
        .toList();
    if (!interfaces.isEmpty()) {
      append(line, (type.isInterface() ? "extends " : "implements ") + String.join(", ", interfaces));
    }
    if (type.isSealed()) {
      append(line, "permits " + Arrays.stream(type.getPermittedSubclasses())
          .map(Class::getCanonicalName).sorted().collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  private static String fieldLine(Field field) {
    StringBuilder line = new StringBuilder(annotations(field, false));
    if (field.isEnumConstant()) {
      append(line, "enum constant " + field.getName());
      return line.toString();
    }
    append(line, Modifier.toString(field.getModifiers() & Modifier.fieldModifiers()));
    append(line, render(field.getAnnotatedType()) + " " + field.getName());
    int constant = Modifier.STATIC | Modifier.FINAL;
    if ((field.getModifiers() & constant) == constant
        && (field.getType().isPrimitive() || field.getType() == String.class)) {
      // A compile-time constant is copied into its users' class files: its value is API.
      try {
        field.setAccessible(true);
        Object value = field.get(null);
        append(line, "= " + (value instanceof String text ? quote(text) : String.valueOf(value)));
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IllegalStateException("cannot read constant " + field, e);
      }
    }
    return line.toString();
  }

  private static String executableLine(Executable executable, Class<?> owner) {
    StringBuilder line = new StringBuilder(annotations(executable, false));
    int mask = executable instanceof Method ? Modifier.methodModifiers() : Modifier.constructorModifiers();
    int modifiers = executable.getModifiers() & mask;
    if (owner.isInterface()) {
      modifiers &= ~Modifier.PUBLIC;               // implied; keeps "abstract", "static", "default"
    }
    append(line, Modifier.toString(modifiers));
    if (executable instanceof Method method && method.isDefault()) {
      append(line, "default");
    }
    String typeParameters = typeParameters(executable.getTypeParameters());
    if (!typeParameters.isEmpty()) {
      append(line, typeParameters.substring(1));   // without the leading space
    }
    if (executable instanceof Method method) {
      append(line, render(method.getAnnotatedReturnType()) + " " + method.getName());
    } else {
      append(line, nestedName(owner));
    }
    line.append('(').append(parameters(executable)).append(')');
    AnnotatedType[] exceptions = executable.getAnnotatedExceptionTypes();
    if (exceptions.length > 0) {
      append(line, "throws " + Arrays.stream(exceptions).map(ApiSignatures::render)
          .collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  private static String parameters(Executable executable) {
    // getAnnotatedParameterTypes covers the declared parameters only (not an inner class's
    // enclosing instance or an enum's name and ordinal), which is what the source shows.
    AnnotatedType[] types = executable.getAnnotatedParameterTypes();
    Parameter[] parameters = executable.getParameters();
    List<String> rendered = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      String type = render(types[i]);
      if (executable.isVarArgs() && i == types.length - 1 && type.endsWith("[]")) {
        type = type.substring(0, type.length() - 2) + "...";
      }
      String annotations = parameters.length == types.length ? annotations(parameters[i], false) : "";
      rendered.add(annotations.isEmpty() ? type : annotations + " " + type);
    }
    return String.join(", ", rendered);
  }

  private static String typeParameters(TypeVariable<?>[] variables) {
    if (variables.length == 0) {
      return "";
    }
    return Arrays.stream(variables).map(variable -> {
      List<String> bounds = Arrays.stream(variable.getAnnotatedBounds())
          .map(ApiSignatures::render)
          .filter(bound -> !bound.equals("java.lang.Object"))
          .toList();
      String annotations = annotations(variable, false);
      String name = annotations.isEmpty() ? variable.getName() : annotations + " " + variable.getName();
      return bounds.isEmpty() ? name : name + " extends " + String.join(" & ", bounds);
    }).collect(Collectors.joining(", ", " <", ">"));
  }

  /** A type as the source would spell it, fully qualified, with its type-use annotations. */
  static String render(AnnotatedType type) {
    String annotations = typeAnnotations(type);
    String rendered;
    if (type instanceof AnnotatedArrayType array) {
      // Java puts an array's own annotations before its brackets: String @Nullable []
      String component = render(array.getAnnotatedGenericComponentType());
      return component + (annotations.isEmpty() ? "[]" : " " + annotations + " []");
    } else if (type instanceof AnnotatedParameterizedType parameterized) {
      Class<?> raw = (Class<?>) ((java.lang.reflect.ParameterizedType) parameterized.getType()).getRawType();
      rendered = raw.getCanonicalName() + Arrays.stream(parameterized.getAnnotatedActualTypeArguments())
          .map(ApiSignatures::render).collect(Collectors.joining(", ", "<", ">"));
    } else if (type instanceof AnnotatedWildcardType wildcard) {
      AnnotatedType[] lower = wildcard.getAnnotatedLowerBounds();
      AnnotatedType[] upper = wildcard.getAnnotatedUpperBounds();
      if (lower.length > 0) {
        rendered = "? super " + render(lower[0]);
      } else if (upper.length > 0 && !render(upper[0]).equals("java.lang.Object")) {
        rendered = "? extends " + render(upper[0]);
      } else {
        rendered = "?";
      }
    } else if (type instanceof AnnotatedTypeVariable variable) {
      rendered = ((TypeVariable<?>) variable.getType()).getName();
    } else {
      Class<?> plain = (Class<?>) type.getType();
      rendered = plain.getCanonicalName() != null ? plain.getCanonicalName() : plain.getName();
    }
    return annotations.isEmpty() ? rendered : annotations + " " + rendered;
  }

  private static String typeAnnotations(AnnotatedType type) {
    return Arrays.stream(type.getDeclaredAnnotations())
        .map(a -> "@" + a.annotationType().getSimpleName())
        .sorted()
        .collect(Collectors.joining(" "));
  }

  /**
   * The runtime-visible declaration annotations of an element, by simple name, sorted; with
   * {@code leadingSpace} a space before them when there are any.
   */
  private static String annotations(AnnotatedElement element, boolean leadingSpace) {
    String names = Arrays.stream(element.getDeclaredAnnotations())
        .map(Annotation::annotationType)
        .map(Class::getSimpleName)
        .sorted()
        .map(name -> "@" + name)
        .collect(Collectors.joining(" "));
    return leadingSpace && !names.isEmpty() ? " " + names : names;
  }

  /** A nested type's name with its enclosing types, without the package: {@code Route.Builder}. */
  private static String nestedName(Class<?> type) {
    String canonical = type.getCanonicalName();
    String packageName = type.getPackageName();
    return packageName.isEmpty() ? canonical : canonical.substring(packageName.length() + 1);
  }

  /** A public type, or a public or protected member type of a reachable type. */
  private static boolean reachable(Class<?> type) {
    if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
      return false;
    }
    int modifiers = type.getModifiers();
    Class<?> enclosing = type.getDeclaringClass();
    if (enclosing == null) {
      return Modifier.isPublic(modifiers);
    }
    boolean visible = Modifier.isPublic(modifiers)
        || (Modifier.isProtected(modifiers) && !Modifier.isFinal(enclosing.getModifiers()));
    return visible && reachable(enclosing);
  }

  /**
   * Public members, and protected ones of types a user can extend (not final, not an enum, not a
   * record). Interface members without {@code private} are public.
   */
  private static boolean visible(Member member) {
    int modifiers = member.getModifiers();
    Class<?> owner = member.getDeclaringClass();
    if (Modifier.isPublic(modifiers)) {
      return true;
    }
    return Modifier.isProtected(modifiers) && !Modifier.isFinal(owner.getModifiers())
        && !owner.isEnum() && !owner.isRecord();
  }

  private static Class<?> load(String name, ClassLoader loader) {
    try {
      return Class.forName(name, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("cannot load " + name + ": " + e
          + " (a type it names is not on api-check's test class path: add its artifact to"
          + " api-check/pom.xml with <scope>test</scope>)", e);
    }
  }

  /** The binary names of the classes under a directory or in a jar, sorted. */
  static List<String> classNames(Path classes) {
    requireNonNull(classes, "classes");
    try {
      if (Files.isDirectory(classes)) {
        return names(classes);
      }
      try (FileSystem jar = FileSystems.newFileSystem(classes)) {
        return names(jar.getPath("/"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the classes of " + classes, e);
    }
  }

  private static List<String> names(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(".class"))
          .map(p -> root.relativize(p).toString())
          .filter(p -> !p.startsWith("META-INF"))      // multi-release versions, module-info
          .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.').replace('\\', '.'))
          .filter(name -> !name.equals("module-info"))
          .sorted()
          .toList();
    }
  }

  private static List<String> sorted(Stream<String> lines) {
    return lines.sorted().toList();
  }

  private static void append(StringBuilder line, String part) {
    if (part.isEmpty()) {
      return;
    }
    if (line.length() > 0) {
      line.append(' ');
    }
    line.append(part);
  }

  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
