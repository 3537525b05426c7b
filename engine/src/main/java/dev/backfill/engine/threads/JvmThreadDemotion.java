package dev.backfill.engine.threads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the JVM's JIT compilers and garbage collector under SCHED_IDLE on a background node, and
 * keeps doing so for the ones the JVM starts later (it adds compiler and GC threads as it needs
 * them, from threads of its own that are not ours to start).
 *
 * <p>Why they are not control plane: a backfill's allocation and its hot code are what keep them
 * busy, and at normal priority they took the primary's core from the live path. Measured side by
 * side with the incident benchmark (2026-12-02, one node, shared cores): with only the data
 * plane's own threads in the background the compilers used 22% of a core during the live window,
 * and the live p99 was 2.24x its alone figure at 496 calls/s, against 1.46x at 736 calls/s with
 * every thread of the node in the background. The price: a collection's pause, which stops the
 * API too, lasts longer when other processes keep every core busy.
 */
public final class JvmThreadDemotion implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JvmThreadDemotion.class);

  /** Thread names (as the kernel keeps them, cut to 15 characters) of HotSpot's JIT and G1/Parallel/Serial GC. */
  static final List<String> PREFIXES =
      List.of("C1 CompilerThre", "C2 CompilerThre", "GC Thread#", "G1 Conc#", "G1 Refine#", "G1 Main Marker", "G1 Service");

  private static final Path TASKS = Path.of("/proc/self/task");

  private final ScheduledExecutorService scan;
  private final Set<Long> demoted = new HashSet<>();
  private boolean warned;

  private JvmThreadDemotion(long everySeconds) {
    scan =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "backfill-jvm-thread-demotion");
              thread.setDaemon(true);
              return thread;
            });
    demoteNewOnes();
    scan.scheduleWithFixedDelay(this::demoteNewOnes, everySeconds, everySeconds, TimeUnit.SECONDS);
  }

  /**
   * Demotes them before it returns, then every {@code everySeconds} those started since.
   */
  public static JvmThreadDemotion start(long everySeconds) {
    return new JvmThreadDemotion(everySeconds);
  }

  private synchronized void demoteNewOnes() {
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        long tid = Long.parseLong(task.getFileName().toString());
        if (!demoted.contains(tid) && isJvmHousekeeping(task)) {
          String failure = ThreadPolicy.demoteThread(tid);
          if (failure == null) {
            demoted.add(tid);
          } else if (!warned && Files.exists(task)) { // not one that ended meanwhile
            warned = true;
            log.warn("the JVM's compiler and GC threads run at normal CPU priority, not in the background: {}", failure);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!warned) {
        warned = true;
        log.warn("cannot list this JVM's threads to put its compiler and GC threads in the background", e);
      }
    }
  }

  private static boolean isJvmHousekeeping(Path task) {
    try {
      String name = Files.readString(task.resolve("comm")).strip();
      return PREFIXES.stream().anyMatch(name::startsWith);
    } catch (IOException e) {
      return false; // the thread has ended
    }
  }

  @Override
  public void close() {
    scan.shutdownNow();
  }
}
