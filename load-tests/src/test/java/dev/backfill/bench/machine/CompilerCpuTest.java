package dev.backfill.bench.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Compiler threads found by name in the kernel's per-thread accounting, and only those. */
class CompilerCpuTest {

  @Test
  void thisJvmsCompilersHaveCompiledTheTestRun() {
    // Surefire, JUnit and this class's callers are compiled by now: well over one 10 ms tick.
    assertTrue(CompilerCpu.compilerTicks(ProcessHandle.current().pid()) > 0);
  }

  @Test
  void aProcessThatIsNotAJvmHasNoCompilerTime() throws Exception {
    Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ProcessCpu.secondsUnder(Set.of(busy.pid())) < 0.05 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(ProcessCpu.secondsUnder(Set.of(busy.pid())) >= 0.05, "the shell never got the CPU");
      assertEquals(0, CompilerCpu.compilerTicks(busy.pid()));
    } finally {
      busy.destroyForcibly();
      busy.waitFor(10, TimeUnit.SECONDS);
    }
    assertEquals(0, CompilerCpu.compilerTicks(busy.pid()), "a process that is gone");
  }

  @Test
  void aChildJvmsCompilingIsCountedAndStaysCountedAfterItEnds() throws Exception {
    CompilerCpu clock = CompilerCpu.startCounting();
    // -Xcomp compiles every method before its first call: seconds of compiling to start at all.
    Process child =
        new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xcomp", "-version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    double whileItRan = 0;
    while (!child.waitFor(20, TimeUnit.MILLISECONDS)) {
      whileItRan = clock.secondsSinceStart();
    }
    assertTrue(whileItRan > 0, "the child's compilers were never seen at work");
    assertTrue(clock.secondsSinceStart() >= whileItRan, "what a process that ended had compiled is kept");
  }
}
