package dev.backfill.stores;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** A file holding the pid of a process we started, so a later command can find or stop it. */
public final class PidFile {

  private final Path path;

  public PidFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  public OptionalLong read() {
    try {
      if (!Files.exists(path)) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(Files.readString(path).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
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
   * Like {@link #liveProcess()}, but only if the live process's command line contains {@code
   * marker}: after a reboot a stale file may name a pid that now belongs to something else.
   */
  public Optional<ProcessHandle> liveProcess(String marker) {
    return liveProcess()
        .filter(process -> process.info().commandLine().map(line -> line.contains(marker)).orElse(true));
  }

  public void write(long pid) {
    try {
      Files.createDirectories(path.getParent());
      Files.writeString(path, Long.toString(pid));
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
}
