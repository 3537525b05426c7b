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
 * Puts the JVM's JIT compilers under SCHED_IDLE on a background node, and keeps doing so for the
 * ones the JVM starts later (it adds compiler threads as it needs them, from threads of its own
 * that are not ours to start).
 *
 * <p>Why they are not control plane: the backfill's hot code is what keeps them busy, and at
 * normal priority they took the primary's core from the live path. Measured side by side with the
 * incident benchmark (2026-12-02, one node, shared cores): with only the data plane's own threads
 * in the background the compilers used 22% of a core during the live window, and the live p99 was
 * 2.24x its alone figure at 496 calls/s, against 1.46x at 736 calls/s with every thread of the
 * node in the background.
 */
public final class JvmThreadDemotion implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JvmThreadDemotion.class);

  /**
   * Thread names (as the kernel keeps them, cut to 15 characters) of HotSpot's JIT compilers. The
   * garbage collector's threads stay at normal priority: a collection stops every thread of the
   * node, control plane included; and with the compilers and the collector under SCHED_IDLE an
   * incident benchmark's one-node job processed no call in its first 120 s (2026-12-02; not
   * traced, and not seen with the compilers alone).
   */
  static final List<String> PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre");

  private static final Path TASKS = Path.of("/proc/self/task");

  private final ScheduledExecutorService scan;
  private final Set<String> demoted = new HashSet<>();
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
    Set<String> present = new HashSet<>();
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String thread = housekeepingThread(task);
        if (thread == null) {
          continue;
        }
        present.add(thread);
        if (!demoted.contains(thread)) {
          String failure = ThreadPolicy.demoteThread(Long.parseLong(task.getFileName().toString()));
          if (failure == null) {
            demoted.add(thread);
          } else if (!warned && Files.exists(task)) { // not one that ended meanwhile
            warned = true;
            log.warn("the JVM's JIT compiler threads run at normal CPU priority, not in the background: {}", failure);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!warned) {
        warned = true;
        log.warn("cannot list this JVM's threads to put its JIT compiler threads in the background", e);
      }
    }
    // Threads that ended: their ids may come back for threads of another kind.
    demoted.retainAll(present);
  }

  /**
   * "id@start time" of a compiler or GC thread (a thread id can be reused by a later thread),
   * null for any other thread or one that has ended.
   */
  private static String housekeepingThread(Path task) {
    try {
      String name = Files.readString(task.resolve("comm")).strip();
      if (PREFIXES.stream().noneMatch(name::startsWith)) {
        return null;
      }
      return task.getFileName() + "@" + ThreadPolicy.startTimeIn(Files.readString(task.resolve("stat")));
    } catch (IOException e) {
      return null; // the thread has ended
    }
  }

  @Override
  public void close() {
    scan.shutdownNow();
  }
}
