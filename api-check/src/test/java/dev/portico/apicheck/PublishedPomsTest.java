package dev.portico.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What Maven Central and the users of the published POMs see: every module that is deployed (not
 * {@code maven.deploy.skip}) is in portico-bom, at the same version; every published POM names
 * and describes itself and carries the url, licences, developers, scm and issue management
 * Central requires (inherited from the parent, or repeated in the BOM, which has no parent).
 */
class PublishedPomsTest {
  private static final List<String> CENTRAL_METADATA = List.of(
      "url", "licenses", "developers", "scm", "issueManagement");

  private final Pom parent = Pom.read(PublicApiTest.root());
  private final Pom bom = Pom.read(PublicApiTest.root().resolve("portico-bom"));

  @Test
  void theBomManagesEveryPublishedModuleAtTheProjectVersion() {
    List<String> published = modules().stream()
        .filter(Pom::published)
        .filter(pom -> !pom.text("packaging").orElse("jar").equals("pom"))
        .map(pom -> pom.text("artifactId").orElseThrow())
        .sorted()
        .toList();
    Map<String, String> managed = new TreeMap<>();
    for (Element dependency : bom.children("dependencyManagement", "dependencies", "dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("dev.portico");
      managed.put(text(dependency, "artifactId"), text(dependency, "version"));
    }

    assertThat(published).as("published modules (add a new one to portico-bom/pom.xml, or set"
        + " maven.deploy.skip in it)").containsExactlyElementsOf(managed.keySet());
    assertThat(managed.values()).allMatch("${project.version}"::equals);
    assertThat(bom.text("version")).isEqualTo(parent.text("version"));
    assertThat(bom.text("groupId")).isEqualTo(parent.text("groupId"));
  }

  /** A BOM with a parent would pass the parent's third-party dependencyManagement on to users. */
  @Test
  void theBomHasNoParentAndManagesNothingButPortico() {
    assertThat(bom.children("parent")).isEmpty();
    assertThat(bom.children("dependencyManagement", "dependencies", "dependency"))
        .allSatisfy(dependency -> {
          assertThat(text(dependency, "groupId")).isEqualTo("dev.portico");
          assertThat(dependency.getElementsByTagName("scope").getLength()).isZero();
        });
  }

  @Test
  void everyPublishedPomNamesAndDescribesItself() {
    List<Pom> published = new ArrayList<>(modules().stream().filter(Pom::published).toList());
    published.add(parent);
    assertThat(published).extracting(pom -> pom.text("artifactId").orElseThrow())
        .contains("portico-parent", "portico-bom", "gateway-api", "gateway-impl", "gateway-test");
    for (Pom pom : published) {
      assertThat(pom.text("name")).as("name of %s", pom.dir).isPresent();
      assertThat(pom.text("description")).as("description of %s", pom.dir).isPresent();
      if (pom != parent) {
        assertThat(pom.text("description")).as("description of %s", pom.dir)
            .isNotEqualTo(parent.text("description"));
      }
    }
  }

  @Test
  void theParentAndTheBomCarryWhatCentralRequires() {
    for (String element : CENTRAL_METADATA) {
      assertThat(parent.children(element)).as("parent's <%s>", element).hasSize(1);
      assertThat(normalized(bom.children(element))).as("portico-bom's <%s>, as the parent's", element)
          .isEqualTo(normalized(parent.children(element)));
    }
    Element scm = parent.children("scm").get(0);
    assertThat(List.of("connection", "developerConnection", "url"))
        .allSatisfy(part -> assertThat(text(scm, part)).isNotBlank());
    assertThat(parent.root.getAttribute("child.project.url.inherit.append.path")).isEqualTo("false");
    // Published modules inherit all of it: none overrides it with something else.
    for (Pom pom : modules()) {
      if (pom.published() && !pom.dir.equals(bom.dir)) {
        assertThat(CENTRAL_METADATA).allSatisfy(element ->
            assertThat(pom.children(element)).as("<%s> of %s (inherited from the parent)", element, pom.dir).isEmpty());
      }
    }
  }

  /**
   * The metadata above is inherited from portico-parent: a module on another parent (the Spring
   * Boot example is on Boot's, as a user's application is) would be published without it.
   */
  @Test
  void aModuleOnAnotherParentIsNotPublished() {
    List<Pom> foreign = modules().stream()
        .filter(pom -> !pom.dir.equals(bom.dir))
        .filter(pom -> !pom.children("parent", "artifactId").stream()
            .map(e -> e.getTextContent().trim()).toList().equals(List.of("portico-parent")))
        .toList();

    assertThat(foreign).extracting(pom -> pom.text("artifactId").orElseThrow()).contains("spring-boot-example");
    assertThat(foreign).allSatisfy(pom -> {
      assertThat(pom.published()).as("%s (set maven.deploy.skip)", pom.dir).isFalse();
      assertThat(pom.property("maven.install.skip")).as("maven.install.skip of %s", pom.dir).contains("true");
    });
  }

  @Test
  void theBomPinsThePluginVersionsAndTimestampOfTheParent() {
    for (Element plugin : bom.children("build", "pluginManagement", "plugins", "plugin")) {
      String artifactId = text(plugin, "artifactId");
      assertThat(text(plugin, "version")).as("%s in portico-bom", artifactId)
          .isEqualTo(parent.property(artifactId + ".version").orElseThrow());
    }
    assertThat(bom.property("project.build.outputTimestamp"))
        .isEqualTo(parent.property("project.build.outputTimestamp")).isPresent();
  }

  private List<Pom> modules() {
    return parent.children("modules", "module").stream()
        .map(module -> Pom.read(PublicApiTest.root().resolve(module.getTextContent().trim())))
        .toList();
  }

  private static String text(Element element, String child) {
    return Pom.direct(element, child).stream().findFirst().map(e -> e.getTextContent().trim()).orElse("");
  }

  private static List<String> normalized(List<Element> elements) {
    return elements.stream().map(e -> e.getTextContent().replaceAll("\\s+", " ").trim()).toList();
  }

  /** A POM file as written (not the effective model). */
  private record Pom(Path dir, Element root) {
    static Pom read(Path dir) {
      Path file = dir.resolve("pom.xml");
      assertThat(file).exists();
      try {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return new Pom(dir.normalize(), factory.newDocumentBuilder().parse(Files.newInputStream(file)).getDocumentElement());
      } catch (Exception e) {
        throw new IllegalStateException("cannot read " + file, e);
      }
    }

    boolean published() {
      return !property("maven.deploy.skip").orElse("false").equals("true");
    }

    Optional<String> text(String child) {
      return direct(root, child).stream().findFirst().map(e -> e.getTextContent().trim());
    }

    Optional<String> property(String name) {
      return children("properties", name).stream().findFirst().map(e -> e.getTextContent().trim());
    }

    /** The elements at a path of direct children below the project element. */
    List<Element> children(String... path) {
      List<Element> level = List.of(root);
      for (String name : path) {
        List<Element> next = new ArrayList<>();
        level.forEach(element -> next.addAll(direct(element, name)));
        level = next;
      }
      return level;
    }

    static List<Element> direct(Element element, String name) {
      List<Element> found = new ArrayList<>();
      for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
        if (node instanceof Element child && child.getTagName().equals(name)) {
          found.add(child);
        }
      }
      return found;
    }
  }
}
