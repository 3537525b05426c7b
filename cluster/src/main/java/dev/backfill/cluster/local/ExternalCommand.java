package dev.backfill.cluster.local;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short system command (chrt, taskset) and says whether it worked, and if not, why. */
public final class ExternalCommand {

  private static final long TIMEOUT_SECONDS = 10;

  private ExternalCommand() {}

  /** Null when the command exited 0 within 10 s; otherwise why not, with its output. */
  public static String failureOf(List<String> command) {
    String name = command.get(0);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return name + " did not finish within " + TIMEOUT_SECONDS + " s";
      }
      if (process.exitValue() != 0) {
        return name + " exited with " + process.exitValue() + ": " + new String(process.getInputStream().readAllBytes()).trim();
      }
      return null;
    } catch (IOException e) {
      return name + " is not available: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
