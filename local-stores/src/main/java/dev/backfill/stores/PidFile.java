package dev.backfill.stores;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A file holding the pid of a process we started, so a later command can find or stop it.
 *
 * <p>The file reads {@code "<pid> <start epoch millis>"}; the start instant tells our process from
 * a later one that was given the same pid (after a reboot, say). Files holding only a pid, as
 * earlier versions wrote them, are still read.
 */
public final class PidFile {

  /**
   * How far two readings of one process's start instant may differ. The JDK derives it from the
   * boot time in /proc/stat, which each JVM reads once and which the kernel reports to the second
   * and shifts when the clock is adjusted.
   */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(2);

  /** The JDK reads at most one page of /proc/PID/cmdline: a command line this long may be cut. */
  private static final int CMDLINE_PAGE = 4096;

  private final Path path;

  public PidFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  public OptionalLong read() {
    String[] fields = fields();
    if (fields.length == 0) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(fields[0]));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The start instant recorded beside the pid; empty for a file that holds only a pid. */
  public Optional<Instant> startInstant() {
    String[] fields = fields();
    if (fields.length < 2) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.ofEpochMilli(Long.parseLong(fields[1])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private String[] fields() {
    try {
      if (!Files.exists(path)) {
        return new String[0];
      }
      String content = Files.readString(path).trim();
      return content.isEmpty() ? new String[0] : content.split("\\s+");
    } catch (IOException e) {
      return new String[0];
    }
  }

  /** The process named in the file, if the file exists and that process is still alive. */
  public Optional<ProcessHandle> liveProcess() {
    OptionalLong pid = read();
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive);
  }

  /**
   * Like {@link #liveProcess()}, but only if the live process is the one the file was written
   * for: after a reboot a stale file may name a pid that now belongs to something else.
   *
   * <p>When the file records a start instant and the live process's is known, they decide. Else
   * the process must have {@code marker} on its command line; but the JDK (17) reads only one page
   * (4096 bytes) of /proc/PID/cmdline, so a command line that long may be cut before the marker
   * (a long {@code -cp} does that) and is taken as ours.
   */
  public Optional<ProcessHandle> liveProcess(String marker) {
    Optional<Instant> recorded = startInstant();
    return liveProcess()
        .filter(
            process -> {
              Optional<Instant> started = process.info().startInstant();
              if (recorded.isPresent() && started.isPresent()) {
                return Duration.between(recorded.get(), started.get()).abs().compareTo(START_TOLERANCE) <= 0;
              }
              return process
                  .info()
                  .commandLine()
                  .map(line -> line.contains(marker) || line.getBytes(StandardCharsets.UTF_8).length >= CMDLINE_PAGE)
                  .orElse(true);
            });
  }

  /** Records {@code pid}, with the start instant of that process when the system tells it. */
  public void write(long pid) {
    String content =
        ProcessHandle.of(pid)
            .flatMap(process -> process.info().startInstant())
            .map(started -> pid + " " + started.toEpochMilli())
            .orElse(Long.toString(pid));
    write(content);
  }

  /** Writes the file's content as is; for tests. */
  void write(String content) {
    try {
      Files.createDirectories(path.getParent());
      Files.writeString(path, content);
    } catch (IOException e) {
      throw new StoreStartException("cannot write pid file " + path + ": " + e.getMessage(), e);
    }
  }

  public void delete() {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // A leftover pid file of a dead process is detected as stale and replaced next time.
    }
  }

  /**
   * Deletes the file only if it still names {@code pid}, so that a process that failed to start,
   * or is shutting down, cannot remove the file of another that has since replaced it.
   */
  public void deleteIfOwnedBy(long pid) {
    OptionalLong named = read();
    if (named.isPresent() && named.getAsLong() == pid) {
      delete();
    }
  }
}
