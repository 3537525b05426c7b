package dev.backfill.engine.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * In a JVM of its own (so that this test JVM's compilers keep their priority), the compiler threads
 * go under SCHED_IDLE and nothing else does, the garbage collector's included: read from the
 * kernel for every thread.
 */
class JvmThreadDemotionTest {

  @BeforeAll
  static void needsChrt() {
    assumeTrue(Chrt.available(), "needs Linux's /proc and chrt (util-linux)");
  }

  @Test
  void theJitCompilersGoInTheBackgroundAndNothingElse() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(java, "-Xmx64m", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"), Child.class.getName())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream()));
      List<String> said = new ArrayList<>();
      for (String line; !"demoted".equals(line = output.readLine()); said.add(line)) {
        assertTrue(line != null, () -> "the child ended first: " + said);
      }
      Map<String, Integer> policies = policiesByName(child.pid());

      Map<String, Integer> housekeeping = new TreeMap<>();
      Map<String, Integer> others = new TreeMap<>();
      policies.forEach(
          (name, policy) ->
              (JvmThreadDemotion.PREFIXES.stream().anyMatch(name::startsWith) ? housekeeping : others).put(name, policy));
      assertTrue(housekeeping.keySet().stream().anyMatch(name -> name.startsWith("C2 CompilerThre")), housekeeping::toString);
      housekeeping.forEach((name, policy) -> assertEquals(ThreadPolicy.SCHED_IDLE, policy, name));
      assertTrue(others.keySet().stream().anyMatch(name -> name.startsWith("GC Thread#")), others::toString);
      others.forEach((name, policy) -> assertEquals(ThreadPolicy.SCHED_OTHER, policy, name));
    } finally {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Every thread of process {@code pid}, "name (tid)" to its policy. */
  private static Map<String, Integer> policiesByName(long pid) throws IOException {
    Map<String, Integer> policies = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          policies.put(name + " (" + task.getFileName() + ")", ThreadPolicy.policyIn(Files.readString(task.resolve("stat"))));
        } catch (IOException ended) {
          // a thread that ended meanwhile
        }
      }
    }
    return policies;
  }

  /** Starts the demotion, says so, and waits to be killed. */
  public static final class Child {
    public static void main(String[] args) throws InterruptedException {
      JvmThreadDemotion.start(60);
      System.out.println("demoted");
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }
  }
}
