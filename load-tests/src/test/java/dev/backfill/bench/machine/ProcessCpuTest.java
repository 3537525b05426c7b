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
  void countsNothingForAProcessThatIsGone() {
    assertTrue(ProcessCpu.secondsUnder(Set.of(Long.MAX_VALUE)) == 0.0);
  }
}
