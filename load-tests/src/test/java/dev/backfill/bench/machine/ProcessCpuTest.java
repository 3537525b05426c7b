package dev.backfill.bench.machine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

  @Test
  void chargesTheCpuTimeAProcessSpendsToItsTree() {
    long self = ProcessHandle.current().pid();
    var threads = ManagementFactory.getThreadMXBean();
    double before = ProcessCpu.secondsUnder(Set.of(self));
    long threadStart = threads.getCurrentThreadCpuTime();
    long sink = 0;
    // Burn a known amount of this thread's CPU (as the JVM counts it), at least 300 ms.
    while (threads.getCurrentThreadCpuTime() - threadStart < 300_000_000L) {
      for (int i = 0; i < 100_000; i++) {
        sink += i * 31L ^ sink;
      }
    }
    double after = ProcessCpu.secondsUnder(Set.of(self));

    // /proc counts in 10 ms ticks; the process's other threads only add to it.
    assertTrue(after - before >= 0.28, "counted " + (after - before) + " s of CPU (sink " + sink + ")");
  }

  @Test
  void countsAProcessUnderTwoRootsOnce() throws Exception {
    // A child of this JVM that burns CPU, like PostgreSQL and Cassandra under the benchmark's JVM.
    Process child = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    try {
      Set<Long> childOnly = Set.of(child.pid());
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (ProcessCpu.secondsUnder(childOnly) < 0.6 && System.nanoTime() < deadline) {
        child.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
      // Stopped, so that it spends nothing between the readings below.
      new ProcessBuilder("kill", "-STOP", Long.toString(child.pid())).start().waitFor();
      double childSeconds = ProcessCpu.secondsUnder(childOnly);
      double underSelf = ProcessCpu.secondsUnder(Set.of(ProcessHandle.current().pid()));
      double underBoth = ProcessCpu.secondsUnder(Set.of(ProcessHandle.current().pid(), child.pid()));

      assertTrue(childSeconds >= 0.6, "the child burnt " + childSeconds + " s");
      // Counted twice, the second figure would be at least the child's 0.6 s above the first; this
      // JVM's own threads may spend a little between the two readings.
      assertTrue(underBoth - underSelf < 0.3, underSelf + " s under this JVM, " + underBoth + " s under both roots");
    } finally {
      child.destroyForcibly().waitFor();
    }
  }

  @Test
  void countsNothingForAProcessThatIsGone() {
    assertTrue(ProcessCpu.secondsUnder(Set.of(Long.MAX_VALUE)) == 0.0);
  }
}
