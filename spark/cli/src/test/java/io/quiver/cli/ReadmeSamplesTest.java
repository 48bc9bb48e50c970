package io.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every ```java block of README.md compiles against the modules' real classes. */
class ReadmeSamplesTest {
  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CLASS = Pattern.compile("public class (\\w+)");

  @Test
  void readmeJavaSamplesCompile(@TempDir Path dir) throws Exception {
    String readme = Files.readString(Path.of("..", "..", "README.md"));
    List<Path> sources = new ArrayList<>();
    Matcher m = BLOCK.matcher(readme);
    while (m.find()) {
      String code = m.group(1);
      Matcher c = CLASS.matcher(code);
      assertTrue(c.find(), "a README sample declares no public class:\n" + code);
      Path file = dir.resolve(c.group(1) + ".java");
      Files.writeString(file, code);
      sources.add(file);
    }
    assertEquals(5, sources.size(),
        "the README's quick starts: handle, join, driver-side search, tables, segments");

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
      List<String> options = List.of("-d", dir.resolve("classes").toString(), "-proc:none",
          "-classpath", System.getProperty("java.class.path"));
      boolean ok = javac.getTask(diagnostics, files, null, options, null, units).call();
      assertTrue(ok, "README samples do not compile:\n" + diagnostics);
    }
  }
}
