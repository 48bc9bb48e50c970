package io.quiver.cli;

import io.quiver.CorruptIndexException;
import io.quiver.IndexInfo;
import io.quiver.QuiverIndex;
import io.quiver.StaleIndexException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {
        "Checks an index: its checksums and every source file's fingerprint.",
        "Exit code: 0 fresh and intact, 5 stale (a source file changed or vanished), 6 corrupt."})
final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "INDEX_DIR", description = "The index directory.")
  Path index;

  @Override
  public Integer call() {
    Inputs.requireIndex(index);
    PrintWriter out = spec.commandLine().getOut();
    String status;
    String message;
    String file = null;
    int code;
    try {
      QuiverIndex.verify(index);
      int files;
      try (QuiverIndex opened = QuiverIndex.open(index)) {
        IndexInfo info = opened.info();
        files = info.files().size();
      }
      status = "fresh";
      message = "index and its " + files + " source file(s) are intact and unchanged";
      code = ExitCodes.OK;
    } catch (StaleIndexException e) {
      status = "stale";
      file = e.file().map(Path::toString).orElse(null);
      message = e.getMessage() + " -- rebuild the index with 'quiver build'";
      code = ExitCodes.STALE_INDEX;
    } catch (CorruptIndexException e) {
      status = "corrupt";
      message = e.getMessage() + " -- delete the index and rebuild it with 'quiver build'";
      code = ExitCodes.CORRUPT_INDEX;
    }
    if (common.json) {
      Json.print(out, Json.object("index", index.toAbsolutePath().toString(), "status", status,
          "file", file, "message", message));
    } else {
      out.printf("%s: %s: %s%n", index, status, message);
      out.flush();
    }
    return code;
  }
}
