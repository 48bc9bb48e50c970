package io.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./quiver launcher in a copy of the repository's root: it refuses to run an unbuilt
 * application with a pointer to the build, and otherwise starts the command on the class path
 * Maven wrote, with the parent pom's JVM flags.
 */
class LauncherTest {
  private static final Path REPO = Path.of("..", "..").toAbsolutePath().normalize();

  @TempDir Path root;

  @BeforeEach
  void copyLauncher() throws IOException {
    Files.createDirectories(root.resolve("ci"));
    for (String f : List.of("quiver", "pom.xml", "ci/find-jdk.sh")) {
      Files.copy(REPO.resolve(f), root.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  private record Run(int code, String out, String err) {}

  private Run run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(root.resolve("quiver").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Path out = root.resolve("out.txt");
    Path err = root.resolve("err.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not finish");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void anUnbuiltApplicationSaysHowToBuildIt() throws Exception {
    Run r = run("--version");
    assertEquals(1, r.code(), r::toString);
    assertTrue(r.err().contains("the application is not built -- run 'mvn package"), r::toString);
  }

  @Test
  void runsTheCommandOnTheWrittenClassPath() throws Exception {
    Path target = Files.createDirectories(root.resolve("spark/cli/target"));
    try (JarOutputStream empty = new JarOutputStream(Files.newOutputStream(target.resolve("quiver-cli-test.jar")))) {
      empty.flush();
    }
    // Surefire's class path (its booter jar's manifest names every dependency and the classes).
    Files.writeString(target.resolve("classpath.txt"), System.getProperty("java.class.path"));

    Run version = run("--version");
    assertEquals(0, version.code(), version::toString);
    assertTrue(version.out().contains("native library "), version::toString);
    assertTrue(!version.out().contains("unavailable"), version::toString);

    Run missing = run("verify", root.resolve("no-index").toString());
    assertEquals(ExitCodes.NOT_FOUND, missing.code(), missing::toString);
    assertEquals("quiver verify: error: no index at " + root.resolve("no-index")
        + " -- build one with 'quiver build --index " + root.resolve("no-index") + " FILES...'",
        missing.err().strip(), missing::toString);
  }
}
