package dev.backfill.stores;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pid file tells our process from another with the same pid by its start instant. */
class PidFileTest {

  private static final String ABSENT_MARKER = "a marker that is not on this JVM's command line 5f3a";

  @TempDir Path directory;

  private final long pid = ProcessHandle.current().pid();
  private PidFile pidFile;

  @BeforeEach
  void createPidFile() {
    pidFile = new PidFile(directory.resolve("test.pid"));
  }

  @Test
  void ourProcessIsFoundByItsStartInstantWhateverItsCommandLine() {
    Instant started = ProcessHandle.current().info().startInstant().orElse(null);
    assumeTrue(started != null, "needs the process start instant");

    pidFile.write(pid);

    assertEquals(pid, pidFile.read().getAsLong());
    assertEquals(started.toEpochMilli(), pidFile.startInstant().orElseThrow().toEpochMilli());
    assertTrue(pidFile.liveProcess(ABSENT_MARKER).isPresent());
  }

  @Test
  void ourPidWithAnotherStartInstantIsNotOurs() {
    Instant started = ProcessHandle.current().info().startInstant().orElse(null);
    assumeTrue(started != null, "needs the process start instant");

    pidFile.write(pid + " " + started.minus(Duration.ofHours(1)).toEpochMilli());

    assertTrue(pidFile.liveProcess().isPresent(), "the pid itself is alive");
    // The empty marker is on every command line: the start instant decides, not the marker.
    assertFalse(pidFile.liveProcess("").isPresent());
    assertFalse(pidFile.liveProcess(ABSENT_MARKER).isPresent());
  }

  @Test
  void aFileWithOnlyAPidIsStillRead() {
    pidFile.write(Long.toString(pid));

    assertEquals(pid, pidFile.read().getAsLong());
    assertTrue(pidFile.startInstant().isEmpty());
    assertTrue(pidFile.liveProcess().isPresent());
    assertTrue(pidFile.liveProcess("").isPresent(), "falls back to the command-line marker");
  }

  @Test
  void onlyTheNamedProcessDeletesTheFile() {
    pidFile.write(pid);

    pidFile.deleteIfOwnedBy(pid + 1);
    assertTrue(Files.exists(pidFile.path()));

    pidFile.deleteIfOwnedBy(pid);
    assertFalse(Files.exists(pidFile.path()));
  }
}
