package dev.portico.gateway.internal.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.internal.GatewayRuntime;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine ({@code dev.portico.gateway.internal} and below) reaches the integrations only
 * through the seams of {@code internal.spi}: no compiled engine class refers to a class of an
 * integration library or package. Read from the class files' constant pools, where every class a
 * class uses is named (imports, fully qualified names, signatures and lambdas alike).
 */
class EngineReferencesNoIntegrationTest {
  /** Internal names (slashes) of what the engine must not refer to. */
  static final List<String> FORBIDDEN = List.of(
      "io/github/resilience4j/", "com/networknt/", "com/google/crypto/tink/",
      "dev/portico/gateway/transform/json/", "dev/portico/gateway/validation/jsonschema/",
      "dev/portico/gateway/upstream/resilience4j/");

  @Test
  void noEngineClassRefersToAnIntegrationLibraryOrPackage() throws IOException, URISyntaxException {
    Path classes = Path.of(GatewayRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path engine = classes.resolve("dev/portico/gateway/internal");
    List<String> found = new ArrayList<>();
    int scanned = 0;
    try (Stream<Path> files = Files.walk(engine)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        scanned++;
        for (String name : utf8Constants(file)) {
          for (String forbidden : FORBIDDEN) {
            if (name.contains(forbidden)) {
              found.add(classes.relativize(file) + " refers to " + name);
            }
          }
        }
      }
    }
    assertThat(scanned).as("engine classes scanned").isGreaterThan(50);
    assertThat(found).as("references from the engine to integrations (use an internal.spi seam)").isEmpty();
  }

  @Test
  void theScanSeesTheReferencesOfAnIntegrationClass() throws IOException, URISyntaxException {
    // The check above would pass on an empty reading: the integration itself must be caught by it.
    Path classes = Path.of(GatewayRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> names = utf8Constants(classes.resolve(
        "dev/portico/gateway/upstream/resilience4j/Resilience4jCircuit.class"));
    assertThat(names).anyMatch(n -> n.contains("io/github/resilience4j/circuitbreaker/CircuitBreaker"));
  }

  /** The CONSTANT_Utf8 entries of a class file: class names, descriptors, signatures, strings. */
  static List<String> utf8Constants(Path classFile) throws IOException {
    try (InputStream raw = Files.newInputStream(classFile); DataInputStream in = new DataInputStream(raw)) {
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException(classFile + ": not a class file");
      }
      in.readUnsignedShort();   // minor
      in.readUnsignedShort();   // major
      int count = in.readUnsignedShort();
      List<String> utf8 = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> {
            byte[] bytes = new byte[in.readUnsignedShort()];
            in.readFully(bytes);
            utf8.add(new String(bytes, StandardCharsets.ISO_8859_1));   // names are ASCII here
          }
          case 7, 8, 16, 19, 20 -> in.skipBytes(2);
          case 15 -> in.skipBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
          case 5, 6 -> {
            in.skipBytes(8);
            i++;   // takes two entries
          }
          default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
        }
      }
      return utf8;
    }
  }
}
