package dev.portico.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every public type and every public or protected member of the published API has a Javadoc
 * comment: gateway-api, the public packages of gateway-impl (not {@code internal*}) and the test
 * kit, gateway-test, gateway-config, gateway-openapi, gateway-server and
 * gateway-spring-boot-autoconfigure (the starter has no classes). The API is what users read.
 * (Doclint's "missing" group would check this too, but it also demands {@code @param} and
 * {@code @return} where the comment's prose already says it, so the build runs doclint without
 * that group and this test checks the comments are there.)
 * Overrides inherit their comment and need none. And every internal package says it is not API.
 */
class PublicApiJavadocTest {
  @ParameterizedTest
  @ValueSource(strings = {"gateway-api", "gateway-impl", "gateway-test", "gateway-config", "gateway-openapi",
      "gateway-server", "gateway-spring-boot-autoconfigure"})
  void everyPublicTypeAndMemberHasAComment(String module) throws IOException {
    Path sources = PublicApiTest.root().resolve(module).resolve("src/main/java");
    assertThat(undocumented(sources)).as("public API of %s without a Javadoc comment", module).isEmpty();
  }

  /** The javadoc jars leave internal packages out; their package-info says why to a reader of the source. */
  @ParameterizedTest
  @ValueSource(strings = {"gateway-api", "gateway-impl", "gateway-test", "gateway-config", "gateway-openapi",
      "gateway-server", "gateway-spring-boot-autoconfigure"})
  void everyInternalPackageSaysItIsNotPublicApi(String module) throws IOException {
    Path sources = PublicApiTest.root().resolve(module).resolve("src/main/java");
    List<String> packages;
    try (Stream<Path> walk = Files.walk(sources)) {
      packages = walk.filter(p -> p.toString().endsWith(".java"))
          .map(p -> sources.relativize(p.getParent()).toString().replace('/', '.').replace('\\', '.'))
          .filter(ApiSignatures::isInternal)
          .distinct().sorted().toList();
    }
    List<String> unmarked = new ArrayList<>();
    for (String packageName : packages) {
      Path info = sources.resolve(packageName.replace('.', '/')).resolve("package-info.java");
      String text = Files.exists(info) ? Files.readString(info) : "";
      if (!text.matches("(?s)\\s*/\\*\\*[\\s*]*Not public API\\..*")) {
        unmarked.add(packageName);
      }
    }
    assertThat(unmarked).as("internal packages of %s whose package-info.java Javadoc does not start"
        + " with \"Not public API.\"", module).isEmpty();
  }

  @Test
  void aMissingCommentIsReported(@TempDir Path sources) throws IOException {
    Path file = sources.resolve("fixture/Widget.java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, """
        package fixture;
        /** A widget. */
        public final class Widget {
          /** Documented. */
          public void documented() { }
          public void bare() { }
          @Override public String toString() { return ""; }
          void packagePrivate() { }
          /** Documented nested type. */
          public interface Part { String name(); }
        }
        """);
    Path internal = sources.resolve("fixture/internal/Engine.java");
    Files.createDirectories(internal.getParent());
    Files.writeString(internal, "package fixture.internal;\npublic final class Engine { public void run() { } }\n");

    assertThat(undocumented(sources)).containsExactly(
        "fixture/Widget.java:6 bare(..)", "fixture/Widget.java:10 name(..)");
  }

  private static List<String> undocumented(Path sources) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> undocumented = new ArrayList<>();
    try (StandardJavaFileManager fileManager = javac.getStandardFileManager(null, null, null);
         Stream<Path> walk = Files.walk(sources)) {
      List<Path> files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
      assertThat(files).as("sources under %s", sources.toAbsolutePath()).isNotEmpty();
      Iterable<? extends JavaFileObject> units = fileManager.getJavaFileObjectsFromPaths(files);
      JavacTask task = (JavacTask) javac.getTask(null, fileManager, null, List.of("-proc:none"), null, units);
      DocTrees docs = DocTrees.instance(task);
      for (CompilationUnitTree unit : task.parse()) {
        if (unit.getPackageName() != null && ApiSignatures.isInternal(unit.getPackageName().toString())) {
          continue;                               // engine internals: not API, not in the javadoc jar
        }
        new Scanner(docs, unit, sources, undocumented).scan(unit, null);
      }
    }
    return undocumented;
  }

  /** Walks the types a user can see and reports their visible members that have no comment. */
  private static final class Scanner extends TreePathScanner<Void, Void> {
    private final DocTrees docs;
    private final CompilationUnitTree unit;
    private final Path sources;
    private final List<String> undocumented;

    Scanner(DocTrees docs, CompilationUnitTree unit, Path sources, List<String> undocumented) {
      this.docs = docs;
      this.unit = unit;
      this.sources = sources;
      this.undocumented = undocumented;
    }

    @Override
    public Void visitClass(ClassTree type, Void unused) {
      if (!visible(type.getModifiers())) {
        return null;                              // nothing inside a hidden type is API
      }
      require(type.getSimpleName().toString());
      return super.visitClass(type, unused);
    }

    @Override
    public Void visitMethod(MethodTree method, Void unused) {
      boolean override = method.getModifiers().getAnnotations().stream()
          .anyMatch(a -> a.getAnnotationType().toString().equals("Override"));
      if (visible(method.getModifiers()) && !override) {
        String name = method.getName().contentEquals("<init>") ? "constructor" : method.getName().toString();
        require(name + "(..)");
      }
      return null;                                // a method body declares no API
    }

    @Override
    public Void visitVariable(VariableTree field, Void unused) {
      // Fields and enum constants. A record's components are private fields in the tree, and
      // documented as the record's @params.
      if (getCurrentPath().getParentPath().getLeaf() instanceof ClassTree && visible(field.getModifiers())) {
        require(field.getName().toString());
      }
      return null;
    }

    /** Public or protected, or implicitly public: not private in an interface or annotation. */
    private boolean visible(ModifiersTree modifiers) {
      Set<Modifier> flags = modifiers.getFlags();
      if (flags.contains(Modifier.PUBLIC) || flags.contains(Modifier.PROTECTED)) {
        return true;                              // enum constants are public in the tree too
      }
      return getCurrentPath().getParentPath().getLeaf() instanceof ClassTree owner
          && (owner.getKind() == Tree.Kind.INTERFACE || owner.getKind() == Tree.Kind.ANNOTATION_TYPE)
          && !flags.contains(Modifier.PRIVATE);
    }

    private void require(String what) {
      TreePath path = getCurrentPath();
      if (docs.getDocCommentTree(path) == null) {
        long line = unit.getLineMap().getLineNumber(
            docs.getSourcePositions().getStartPosition(unit, path.getLeaf()));
        Path file = Path.of(unit.getSourceFile().toUri());
        undocumented.add(sources.toAbsolutePath().relativize(file).toString().replace('\\', '/') + ":" + line + " " + what);
      }
    }
  }
}
