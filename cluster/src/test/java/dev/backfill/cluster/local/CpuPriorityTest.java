package dev.backfill.cluster.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The policy is read back from the kernel (/proc/PID/task/TID/sched) for every thread of a real child process. */
class CpuPriorityTest {

  private static final int SCHED_OTHER = 0;
  private static final int SCHED_IDLE = 5;

  private Process child;

  @BeforeEach
  void startChild() throws IOException {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc");
    // A JVM, so the process has many threads, like a node.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    child = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"), Sleeper.class.getName()).start();
    // Its GC, JIT and other threads exist once main runs.
    assertEquals("ready", new BufferedReader(new InputStreamReader(child.getInputStream())).readLine());
  }

  @AfterEach
  void stopChild() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void backgroundPutsEveryThreadUnderSchedIdle() throws IOException {
    String said = CpuPriority.BACKGROUND.applyTo(child.pid());

    assertTrue(said.startsWith("background"), said);
    List<Integer> policies = threadPolicies(child.pid());
    assertTrue(policies.size() > 5, "a JVM has many threads: " + policies);
    assertEquals(List.of(SCHED_IDLE), policies.stream().distinct().toList());
  }

  @Test
  void normalLeavesTheSchedulerAlone() throws IOException {
    CpuPriority.NORMAL.applyTo(child.pid());

    assertEquals(List.of(SCHED_OTHER), threadPolicies(child.pid()).stream().distinct().toList());
  }

  @Test
  void aMisspeltPriorityIsRefusedWithTheChoices() {
    var refused = assertThrows(IllegalArgumentException.class, () -> CpuPriority.parse("idle"));
    assertTrue(refused.getMessage().contains("background, normal"), refused.getMessage());
    assertEquals(CpuPriority.BACKGROUND, CpuPriority.parse(" Background "));
  }

  private static List<Integer> threadPolicies(long pid) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return tasks.map(task -> policy(task.resolve("sched"))).toList();
    }
  }

  private static int policy(Path sched) {
    try {
      return Files.readAllLines(sched).stream()
          .filter(line -> line.startsWith("policy"))
          .map(line -> Integer.parseInt(line.substring(line.indexOf(':') + 1).trim()))
          .findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The child: waits to be killed. */
  public static final class Sleeper {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }
  }
}
