package dev.backfill.cluster.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The CPU priority of the engine's own processes (its nodes and the local Cassandra) on a machine
 * they may share with the primary.
 *
 * <p>A backfill is background work; the live recording path is not. When the engine's JVMs and the
 * primary's backends want the same core, a live query that wakes up should get it at once, not
 * after the engine's slice. {@code background} puts every thread of the process under Linux's
 * {@code SCHED_IDLE} policy: it runs whenever a core is otherwise idle (so on a machine of its own
 * nothing changes), and a normal task that wakes takes the core from it immediately. Measured with
 * the incident benchmark on two shared cores (2026-11-29, evening against night): the live p99
 * beside one node went from 3.9x its alone figure to 1.4x, and the backfill from 32 to 98 calls/s
 * (the governor no longer backed off from the engine's own CPU). But on a saturated machine a
 * node's API then waits behind its own calls in flight: the Gatling submission burst's p99 was 1.2
 * s. {@code split} (the default since 2026-12-02), for a node only (a Cassandra given it runs as
 * {@code background}): its data plane under {@code SCHED_IDLE}, its API, jobs, cluster
 * membership, JIT and garbage collector at nice 19 (dev.backfill.engine.threads), above its own
 * data plane and far below the primary; side by side with {@code background} it left the live
 * path as it was, and the burst's p99 fell to 461 ms (README). {@code normal} leaves the scheduler
 * alone.
 */
public enum CpuPriority {
  BACKGROUND,
  SPLIT,
  NORMAL;

  private static final int PASSES = 5;

  /** The environment variable that sets it for nodes and the local stores alike. */
  public static final String ENVIRONMENT = "BACKFILL_CPU_PRIORITY";

  /**
   * {@code background}, {@code split} or {@code normal}, case-insensitive; blank is the default
   * (split), as an unset variable is; anything else is refused with the choices.
   */
  public static CpuPriority parse(String value) {
    if (value.isBlank()) {
      return SPLIT;
    }
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cpu priority '" + value + "' is not one of: background, split, normal (" + ENVIRONMENT + " or backfill.node.cpu-priority)");
    }
  }

  /** From {@link #ENVIRONMENT}, {@code split} (the default) when it is not set. */
  public static CpuPriority fromEnvironment() {
    String value = System.getenv(ENVIRONMENT);
    return value == null ? SPLIT : parse(value);
  }

  /** What this priority means for a node's threads, for its log. */
  public String ofANode() {
    return switch (this) {
      case NORMAL -> "at normal CPU priority";
      case BACKGROUND -> "every thread at background CPU priority (SCHED_IDLE: the primary and the live path come first on a shared core)";
      case SPLIT ->
          "its data plane (call entities, processors, page reads, Cassandra writes) at background CPU priority"
              + " (SCHED_IDLE), its API, jobs, cluster membership, JIT and GC just above it (nice 19)";
    };
  }

  /**
   * Applies this priority to every thread of the process ({@code split} as {@code background}: a
   * split node never asks for it). Threads it starts later inherit the policy of the thread that
   * starts them. Returns what was done, for the log; never throws (a
   * machine without {@code chrt} runs the engine at normal priority and says so).
   */
  public String applyTo(long pid) {
    if (this == NORMAL) {
      return "normal CPU priority";
    }
    String failure = everyThread(() -> chrtIdle(pid));
    return failure == null
        ? "background CPU priority (SCHED_IDLE): the primary and the live path come first on a shared core"
        : "normal CPU priority, or only partly background: could not set background priority (" + failure + ")";
  }

  /**
   * The command to start a process through so that it runs at this priority from its first
   * instruction, before anyone could apply it ({@code chrt --idle 0}; chrt then execs the command,
   * which keeps chrt's pid); empty for {@code normal}, and where chrt does not work.
   */
  public List<String> launcher() {
    if (this == NORMAL) {
      return List.of();
    }
    List<String> launcher = List.of("chrt", "--idle", "0");
    List<String> trial = new ArrayList<>(launcher);
    trial.add("true");
    return ExternalCommand.failureOf(trial) == null ? launcher : List.of();
  }

  /**
   * For a split node: every thread of the process at the lowest normal priority (SCHED_OTHER, nice
   * 19), before its data plane's threads put themselves under SCHED_IDLE as they start. At nice 19
   * its control plane (API, jobs, cluster, JIT, GC) still takes a core from its own data plane the
   * moment it wakes (a normal task preempts a SCHED_IDLE one), but against the primary's backends
   * at nice 0 it weighs 15 to their 1024, so it waits for them rather than they for it. Returns
   * null when done, else why not (no util-linux {@code renice}, whose {@code -n} sets the
   * niceness rather than adding to it); never throws.
   */
  static String lowerNodeControlPlane(long pid) {
    return everyThread(() -> niceAll(pid));
  }

  /**
   * What a node's own process does with its priority when it starts, before its threads get to
   * work (they inherit the policy and niceness of the thread that starts them); returns what it
   * came to, for the node's log.
   */
  public String applyToNode(long pid) {
    return switch (this) {
      case NORMAL -> ofANode();
      case BACKGROUND -> "at " + applyTo(pid);
      case SPLIT -> {
        String failure = lowerNodeControlPlane(pid);
        yield failure == null
            ? ofANode()
            : "its data plane in the background but its control plane at normal CPU priority, which"
                + " competes with the primary on a shared core (WARNING: could not renice it: " + failure + ")";
      }
    };
  }

  /**
   * Runs {@code pass} (a change to every thread of a process, null when done, else why not) until
   * two passes in a row succeed, at most {@link #PASSES} times. chrt and renice walk the threads one
   * by one and fail at one that exits under them (a JVM's pools come and go), so a pass is
   * retried; after one that reached every thread, a second one catches threads started meanwhile
   * by threads the first had not reached yet. Returns the last failure, or null.
   */
  private static String everyThread(Supplier<String> pass) {
    String failure = null;
    for (int passes = 0, clean = 0; passes < PASSES && clean < 2; passes++) {
      failure = pass.get();
      clean = failure == null ? clean + 1 : 0;
    }
    return failure;
  }

  /** The niceness of a split node's control plane: the lowest that is still SCHED_OTHER. */
  public static final int SPLIT_CONTROL_PLANE_NICE = 19;

  /** renice takes one thread per id on Linux: every thread of the process, named one by one. */
  private static String niceAll(long pid) {
    List<String> command = new ArrayList<>(List.of("renice", "-n", Integer.toString(SPLIT_CONTROL_PLANE_NICE), "-p"));
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      tasks.forEach(task -> command.add(task.getFileName().toString()));
    } catch (IOException e) {
      return "cannot list the threads of " + pid + ": " + e.getMessage();
    }
    String failure = ExternalCommand.failureOf(command);
    // renice prints a line per thread, done or not: only the ones it could not do say why.
    if (failure == null) {
      return null;
    }
    String why = failure.lines().filter(line -> !line.contains("old priority")).collect(Collectors.joining("; "));
    return why.isBlank() ? failure : why;
  }

  /** Null on success, else why not. */
  private static String chrtIdle(long pid) {
    return ExternalCommand.failureOf(List.of("chrt", "--idle", "--all-tasks", "--pid", "0", Long.toString(pid)));
  }
}
