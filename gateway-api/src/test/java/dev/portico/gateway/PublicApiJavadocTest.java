package dev.portico.gateway;

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

/**
 * Every public type and every public or protected member of gateway-api, and of the test kit
 * (gateway-test) that host tests compile against, has a Javadoc comment: the API is what users read. (Doclint's "missing" group would check this too, but it also demands
 * {@code @param} and {@code @return} where the comment's prose already says it, so the build runs
 * doclint without that group and this test checks the comments are there.) Overrides inherit their
 * comment and need none.
 */
class PublicApiJavadocTest {
  @Test
  void everyPublicTypeAndMemberHasAComment() throws IOException {
    assertThat(undocumented(Path.of("src/main/java"))).as("public API without a Javadoc comment").isEmpty();
  }

  /** The kit's module is built after this one; its sources are read from the file system only. */
  @Test
  void everyPublicTypeAndMemberOfTheTestKitHasAComment() throws IOException {
    assertThat(undocumented(Path.of("../gateway-test/src/main/java"))).as("test kit API without a Javadoc comment").isEmpty();
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
        undocumented.add(sources.toAbsolutePath().relativize(file) + ":" + line + " " + what);
      }
    }
  }
}
