package dev.backfill.bench.machine;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A machine's own tools (ss, jcmd), run to their end or stopped after a timeout. */
final class Commands {

  private Commands() {}

  /** The output of the JDK's {@code jcmd} (this JVM's own) sending {@code command} to process {@code pid}. */
  static String jcmd(long pid, String command, Duration timeout) {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    return output(timeout, jcmd, Long.toString(pid), command);
  }

  /**
   * The standard output and error of {@code command}, which must end with 0 within {@code
   * timeout}; it writes to a file, so a command that hangs cannot block the reader.
   */
  static String output(Duration timeout, String... command) {
    File out = null;
    Process process = null;
    try {
      out = File.createTempFile("bench-command", ".out");
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
      boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      String text = Files.readString(out.toPath(), StandardCharsets.UTF_8);
      if (!ended || process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + (ended ? " failed: " : " did not end within " + timeout.toSeconds() + " s: ") + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
      if (out != null) {
        out.delete();
      }
    }
  }
}
