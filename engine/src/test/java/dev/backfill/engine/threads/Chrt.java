package dev.backfill.engine.threads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this machine can do what tests of CPU priorities check: Linux's /proc and util-linux's
 * chrt (here and in the cluster module's tests, through the engine's test jar).
 */
public final class Chrt {

  private Chrt() {}

  public static boolean available() {
    if (!Files.isDirectory(Path.of("/proc/thread-self"))) {
      return false;
    }
    try {
      return new ProcessBuilder("chrt", "--version").start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
