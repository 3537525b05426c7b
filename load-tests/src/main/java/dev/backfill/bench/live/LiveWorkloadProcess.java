package dev.backfill.bench.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link LiveWorkload} run in its own JVM, seen from the benchmark's parent process. */
public final class LiveWorkloadProcess implements AutoCloseable {

  /**
   * Beyond warm-up and window: the workload's own 30 s hard stop after its window, its
   * connections' opening (up to 10 s each before it gives up; room for 8), and its JVM's start.
   * The workload ends by itself once its clock runs, so this only catches a client that hangs; it must not cut
   * short one that started late because the run it measures saturates the machine: beside naive
   * W=32 on 2026-12-02 the client's window opened more than 70 s after its start, and a slack of
   * 60 s killed it while it was finishing, which ended the whole benchmark.
   */
  private static final Duration AWAIT_SLACK = Duration.ofSeconds(30 + 10 * 8 + 120);
  private static final long STDOUT_DRAIN_MILLIS = 5_000;

  private final Process process;
  private final Path log;
  private final Duration expectedRun;
  private final List<String> stdoutLines = new ArrayList<>();
  private final Thread stdoutReader;

  private LiveWorkloadProcess(Process process, Path log, Duration expectedRun) {
    this.process = process;
    this.log = log;
    this.expectedRun = expectedRun;
    // Read all along: a child blocked on a full pipe would stall the workload it is measuring.
    this.stdoutReader = new Thread(this::readStdout, "live-workload-stdout-" + process.pid());
    stdoutReader.setDaemon(true);
    stdoutReader.start();
  }

  /**
   * The client's own JVM must not be what its figures measure: it shares the primary's core when
   * pinned. With the defaults, the C2 compiler ran for a second of every eight seconds of the
   * window on that core and delayed the client's own requests by up to 13 ms (perf sched). Only
   * the quick C1 compiler (done within the warm-up), one serial collector with no background
   * threads, and a heap touched once at start.
   */
  private static final List<String> QUIET_JVM =
      List.of(
          "-Xms256m",
          "-Xmx256m",
          "-XX:+AlwaysPreTouch",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-XX:CICompilerCount=1");

  /**
   * @param commandPrefix put before {@code java}, e.g. {@code ["taskset", "-c", "0"]}, or empty
   * @param log where the workload's stderr (progress, errors) is appended
   */
  public static LiveWorkloadProcess start(
      List<String> commandPrefix,
      String url,
      String user,
      String password,
      int rate,
      int connections,
      Duration warmup,
      Duration window,
      Path log) {
    LiveWorkloadOptions options = new LiveWorkloadOptions(
        url, user, password, rate, connections, (int) warmup.toSeconds(), (int) window.toSeconds(),
        LiveSchema.SEEDED_TENANTS);
    List<String> command = new ArrayList<>(commandPrefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(QUIET_JVM);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), LiveWorkload.class.getName()));
    command.addAll(options.toArgs());
    try {
      if (log.getParent() != null) {
        Files.createDirectories(log.getParent());
      }
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().put(LiveWorkloadOptions.PASSWORD_ENVIRONMENT, password);
      return new LiveWorkloadProcess(builder.start(), log, warmup.plus(window));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the live workload: " + command, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  /** Waits for the workload to finish its window and returns what it measured. */
  public LiveResult await() throws InterruptedException {
    Duration limit = expectedRun.plus(AWAIT_SLACK);
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "live workload (pid " + pid() + ") still running after " + limit.toSeconds() + " s, killed; see " + log);
    }
    stdoutReader.join(STDOUT_DRAIN_MILLIS);
    int exitCode = process.exitValue();
    String lastLine = lastStdoutLine();
    if (exitCode != 0 || lastLine.isEmpty()) {
      throw new IllegalStateException(
          "live workload (pid " + pid() + ") failed with exit code " + exitCode + "; see " + log);
    }
    return LiveResult.parse(lastLine);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private void readStdout() {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        synchronized (stdoutLines) {
          stdoutLines.add(line);
        }
      }
    } catch (IOException processGone) {
      // The pipe closes when the process dies; what was read so far is all there is.
    }
  }

  private String lastStdoutLine() {
    synchronized (stdoutLines) {
      for (int i = stdoutLines.size() - 1; i >= 0; i--) {
        if (!stdoutLines.get(i).isBlank()) {
          return stdoutLines.get(i).trim();
        }
      }
      return "";
    }
  }
}
