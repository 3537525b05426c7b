package dev.backfill.engine.threads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Linux scheduling policies of this process's threads: read one, or lower one to SCHED_IDLE. */
public final class ThreadPolicy {

  /** Linux's number for SCHED_IDLE ({@code sched.h}). */
  public static final int SCHED_IDLE = 5;

  /** Linux's number for the default policy, SCHED_OTHER. */
  public static final int SCHED_OTHER = 0;

  private static final Path THREAD_SELF = Path.of("/proc/thread-self");

  private ThreadPolicy() {}

  /**
   * Puts the calling thread under SCHED_IDLE. Returns null when done, else why not (no {@code
   * chrt}, not Linux): the thread then keeps running at its current priority.
   */
  public static String demoteCurrentThread() {
    long tid;
    try {
      tid = currentThreadId();
    } catch (IOException | RuntimeException e) {
      return "cannot tell this thread's id from " + THREAD_SELF + ": " + e;
    }
    // chrt (util-linux) rather than native code: the JDK has no call for it, and a thread pays
    // this once, when it starts.
    ProcessBuilder chrt =
        new ProcessBuilder(List.of("chrt", "--idle", "--pid", "0", Long.toString(tid)))
            .redirectErrorStream(true);
    try {
      Process process = chrt.start();
      String output = new String(process.getInputStream().readAllBytes()).trim();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "chrt did not finish within 10 s";
      }
      return process.exitValue() == 0 ? null : "chrt exited with " + process.exitValue() + ": " + output;
    } catch (IOException e) {
      return "cannot run chrt: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while running chrt";
    }
  }

  /** The calling thread's policy ({@link #SCHED_IDLE}, {@link #SCHED_OTHER}, ...). */
  public static int ofCurrentThread() throws IOException {
    return policyIn(Files.readString(THREAD_SELF.resolve("stat")));
  }

  /** The policy field (the 41st) of a {@code /proc/.../stat} line. */
  static int policyIn(String stat) {
    // The second field, the command name in parentheses, may itself hold spaces and parentheses:
    // the fields are counted from the last ')', which is the end of that name.
    String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Integer.parseInt(afterName[41 - 3]);
  }

  private static long currentThreadId() throws IOException {
    // "<pid>/task/<tid>"
    Path target = Files.readSymbolicLink(THREAD_SELF);
    return Long.parseLong(target.getFileName().toString());
  }
}
