package dev.backfill.bench.incident;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pinned runs' control: no backfill, a thread that keeps this JVM's core busy (the backfill's
 * core in a pinned run) until closed, hashing a buffer larger than a core's caches. By hand,
 * {@code sha256sum /dev/zero} on core 1 slowed the probes of a primary pinned to core 0 (slow
 * probes 43-50 in 600 against 6-12, 2026-11-30); in the benchmark neither this loop nor one that
 * only read the clock did. So it is not a busy core as such: what sha256sum adds (a read system
 * call per block, the kernel zeroing pages) is a guess, not yet measured.
 */
final class BusyCore {

  /** Where the spinner leaves its last digest byte, so that the JIT cannot drop the loop. */
  static volatile byte spun;

  private BusyCore() {}

  static Backfill start() {
    AtomicBoolean spinning = new AtomicBoolean(true);
    Thread spinner = new Thread(() -> hashUntil(spinning), "bench-busy-core");
    spinner.setDaemon(true);
    spinner.start();
    return Backfill.idleUntilClosed(() -> spinning.set(false));
  }

  /**
   * The shared runs' control: no backfill, a JVM of its own at the engine's CPU priority with a
   * spinner per core, so every core is busy with background work and nothing else: whether CPU
   * that yields at once to a live query still reaches the live path. Pure computation, no system
   * call, unlike a backfill's (its I/O, its collector's page work).
   */
  static Backfill startEveryCoreInBackground(List<String> launcher) throws IOException {
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path")));
    command.add(BusyCore.class.getName());
    command.add(Integer.toString(Runtime.getRuntime().availableProcessors()));
    Process spinners = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return Backfill.idleUntilClosed(
        () -> {
          spinners.destroyForcibly();
          try {
            spinners.waitFor();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  /** Spins on {@code args[0]} threads until killed (see {@link #startEveryCoreInBackground}). */
  public static void main(String[] args) {
    AtomicBoolean spinning = new AtomicBoolean(true);
    for (int i = 0; i < Integer.parseInt(args[0]); i++) {
      new Thread(() -> hashUntil(spinning), "bench-busy-core-" + i).start();
    }
  }

  private static void hashUntil(AtomicBoolean spinning) {
    byte[] buffer = new byte[4 << 20];
    new Random(42).nextBytes(buffer);
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    while (spinning.get()) {
      sha256.update(buffer);
      buffer[0] = sha256.digest()[0];
    }
    spun = buffer[0];
  }
}
