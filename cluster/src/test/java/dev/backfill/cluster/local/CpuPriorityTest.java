package dev.backfill.cluster.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backfill.engine.threads.Chrt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The policy is read back from the kernel (/proc/PID/task/TID/sched) for every thread of a real child process. */
class CpuPriorityTest {

  private static final int SCHED_OTHER = 0;
  private static final int SCHED_IDLE = 5;

  private Process child;
  private BufferedReader childOutput;
  private Writer childInput;

  @BeforeEach
  void startChild() throws IOException {
    assumeTrue(Chrt.available(), "needs Linux's /proc and chrt (util-linux)");
    // A JVM, so the process has many threads, like a node.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    child =
        new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"), Child.class.getName())
            .redirectErrorStream(true)
            .start();
    // Its GC, JIT and other threads exist once main runs.
    childOutput = new BufferedReader(new InputStreamReader(child.getInputStream()));
    childInput = new OutputStreamWriter(child.getOutputStream());
    awaitReady(childOutput);
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
  void threadsTheProcessStartsLaterRunInTheBackgroundToo() throws IOException {
    assertEquals(List.of(SCHED_OTHER), threadPolicies(child.pid()).stream().distinct().toList());
    CpuPriority.BACKGROUND.applyTo(child.pid());

    childInput.write("spawn\n");
    childInput.flush();
    assertEquals("spawned", childOutput.readLine());

    assertEquals(List.of(SCHED_IDLE), threadPolicies(child.pid(), "spawned"));
    assertEquals(List.of(SCHED_IDLE), threadPolicies(child.pid()).stream().distinct().toList());
  }

  @Test
  void aSplitNodesControlPlaneRunsAtTheLowestNormalPriorityAndItsLaterThreadsInheritIt() throws IOException {
    assertTrue(
        threadNices(child.pid()).stream().noneMatch(nice -> nice == CpuPriority.SPLIT_CONTROL_PLANE_NICE),
        "the child must not start at nice 19 already (is the build itself run under nice?)");

    assertEquals(CpuPriority.SPLIT.ofANode(), CpuPriority.SPLIT.applyToNode(child.pid()), "no warning: every thread reniced");
    assertEquals(List.of(SCHED_OTHER), threadPolicies(child.pid()).stream().distinct().toList());
    List<Integer> nices = threadNices(child.pid());
    assertTrue(nices.size() > 5, "a JVM has many threads: " + nices);
    assertEquals(List.of(CpuPriority.SPLIT_CONTROL_PLANE_NICE), nices.stream().distinct().toList());

    childInput.write("spawn\n");
    childInput.flush();
    assertEquals("spawned", childOutput.readLine());
    assertEquals(List.of(CpuPriority.SPLIT_CONTROL_PLANE_NICE), threadNices(child.pid()).stream().distinct().toList());
  }

  @Test
  void aProcessStartedThroughTheBackgroundLauncherRunsInTheBackgroundFromItsFirstThread() throws Exception {
    List<String> launcher = CpuPriority.BACKGROUND.launcher();
    assertEquals(List.of("chrt", "--idle", "0"), launcher);
    assertEquals(List.of(), CpuPriority.NORMAL.launcher());
    List<String> command = new ArrayList<>(launcher);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    command.addAll(List.of(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"), Child.class.getName()));
    Process launched = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      awaitReady(new BufferedReader(new InputStreamReader(launched.getInputStream())));

      List<Integer> policies = threadPolicies(launched.pid());
      assertTrue(policies.size() > 5, "the pid is the JVM's, not a launcher's: " + policies);
      assertEquals(List.of(SCHED_IDLE), policies.stream().distinct().toList());
    } finally {
      launched.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aMisspeltPriorityIsRefusedWithTheChoices() {
    var refused = assertThrows(IllegalArgumentException.class, () -> CpuPriority.parse("idle"));
    assertTrue(refused.getMessage().contains("background, split, normal"), refused.getMessage());
    assertEquals(CpuPriority.BACKGROUND, CpuPriority.parse(" Background "));
    assertEquals(CpuPriority.SPLIT, CpuPriority.parse(""), "blank is the default, as an unset variable is");
    assertEquals(CpuPriority.NORMAL, CpuPriority.parse("normal"));
    assertEquals(CpuPriority.SPLIT, CpuPriority.parse("SPLIT"));
    assertEquals(CpuPriority.BACKGROUND, CpuPriority.parse("background"));
  }

  /**
   * Reads the child's output, its JVM's own messages included, up to its "ready": a child that
   * ends first fails the test with what it said (one clean-clone run saw every child fail with
   * "Error occurred during initialization of VM" and nothing else to go on).
   */
  private static void awaitReady(BufferedReader output) throws IOException {
    List<String> said = new ArrayList<>();
    for (String line; (line = output.readLine()) != null; ) {
      if (line.equals("ready")) {
        return;
      }
      said.add(line);
    }
    throw new AssertionError("the child JVM ended before it was ready; it said: " + String.join("\n", said));
  }

  private static List<Integer> threadPolicies(long pid) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return tasks.map(task -> policy(task.resolve("sched"))).filter(Objects::nonNull).toList();
    }
  }

  /** The niceness of each thread: the 19th field of its stat line, counted after the name's ')'. */
  private static List<Integer> threadNices(long pid) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return tasks.map(task -> read(task.resolve("stat")))
          .filter(stat -> !stat.isEmpty())
          .map(stat -> Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19 - 3]))
          .toList();
    }
  }

  /** The policies of the process's threads with this name. */
  private static List<Integer> threadPolicies(long pid, String threadName) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return tasks.filter(task -> threadName.equals(read(task.resolve("comm")).trim()))
          .map(task -> policy(task.resolve("sched")))
          .filter(Objects::nonNull)
          .toList();
    }
  }

  /** Empty for a thread that ended meanwhile (a JVM's compiler threads come and go). */
  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException gone) {
      return "";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Null for a thread that ended meanwhile. */
  private static Integer policy(Path sched) {
    try {
      return Files.readAllLines(sched).stream()
          .filter(line -> line.startsWith("policy"))
          .map(line -> Integer.parseInt(line.substring(line.indexOf(':') + 1).trim()))
          .findFirst()
          .orElseThrow();
    } catch (NoSuchFileException gone) {
      return null;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The child: starts an idle thread for every "spawn" line and lives until the test kills it
   * (its main thread waits on standard input, the spawned ones park).
   */
  public static final class Child {
    public static void main(String[] args) throws IOException {
      System.out.println("ready");
      System.out.flush();
      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in));
      for (String line; (line = commands.readLine()) != null; ) {
        if (line.equals("spawn")) {
          // The JVM names the kernel thread from inside the new thread, just before run():
          // answer only once run() has begun, or the test may look for the name too early.
          CountDownLatch running = new CountDownLatch(1);
          Thread idle = new Thread(() -> parkUntilKilled(running), "spawned");
          idle.setDaemon(true);
          idle.start();
          awaitUninterruptibly(running);
          System.out.println("spawned");
          System.out.flush();
        }
      }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
      while (true) {
        try {
          latch.await();
          return;
        } catch (InterruptedException ignored) {
          // only the test's kill ends this process
        }
      }
    }

    private static void parkUntilKilled(CountDownLatch running) {
      running.countDown();
      while (true) {
        LockSupport.park();
      }
    }
  }
}
