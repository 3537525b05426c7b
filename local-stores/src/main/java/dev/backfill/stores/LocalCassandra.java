package dev.backfill.stores;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Cassandra 5 server, run as a child JVM from the jars the build prepared.
 *
 * <p>In-process Cassandra would clash with the engine's classpath and cannot restart within one
 * JVM, hence a child process. The child watches our pid and exits when we do, so that a killed
 * test JVM does not leave a server behind holding ports and data.
 */
public final class LocalCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalCassandra.class);

  private static final String LAUNCHER = "dev.backfill.cassandra.ChildCassandraDaemon";

  /**
   * @param launcher a command the server's {@code java} command is run through, for example {@code
   *     chrt --idle 0} so that the server runs at background CPU priority from its first
   *     instruction, its start included; empty for none
   */
  public record Settings(
      Path directory, int nativePort, int storagePort, Duration startTimeout, List<String> launcher) {

    public Settings withLauncher(List<String> launcher) {
      return new Settings(directory, nativePort, storagePort, startTimeout, List.copyOf(launcher));
    }
  }

  private final Settings settings;
  private final Process process;
  private final PidFile pidFile;

  private LocalCassandra(Settings settings, Process process, PidFile pidFile) {
    this.settings = settings;
    this.process = process;
    this.pidFile = pidFile;
  }

  public static LocalCassandra start(Settings settings) {
    Path directory = settings.directory().toAbsolutePath();
    PidFile pidFile = new PidFile(directory.resolve("cassandra.pid"));
    pidFile
        .liveProcess(LAUNCHER)
        .ifPresent(
            running -> {
              throw new StoreStartException(
                  "a Cassandra from an earlier run (pid "
                      + running.pid()
                      + ") still uses "
                      + directory
                      + ". Run `./backfill stores stop`, or `kill "
                      + running.pid()
                      + "` if it is a leftover.");
            });
    Ports.requireFree(settings.nativePort(), "Cassandra native protocol");
    Ports.requireFree(settings.storagePort(), "Cassandra storage");
    Path lib = CassandraServerLib.locate();
    try {
      Files.createDirectories(directory.resolve("logs"));
      Files.createDirectories(directory.resolve("triggers"));
      Path yaml = directory.resolve("cassandra.yaml");
      Files.writeString(yaml, CassandraYaml.render(directory, settings));
      Path logback = directory.resolve("logback.xml");
      Files.writeString(logback, CassandraYaml.logback(directory.resolve("logs")));
      ProcessBuilder builder =
          new ProcessBuilder(command(settings.launcher(), lib, directory, yaml, logback))
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("logs").resolve("stdout.log").toFile());
      Process process = builder.start();
      pidFile.write(process.pid());
      LocalCassandra cassandra = new LocalCassandra(settings, process, pidFile);
      cassandra.awaitReady();
      return cassandra;
    } catch (IOException e) {
      throw new StoreStartException("cannot start Cassandra in " + directory + ": " + e, e);
    }
  }

  public int nativePort() {
    return settings.nativePort();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the server gracefully (SIGTERM lets it flush its commit log), then forcibly. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          log.warn("Cassandra (pid {}) did not stop in 60 s: killing it", process.pid());
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    pidFile.deleteIfOwnedBy(process.pid());
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        pidFile.deleteIfOwnedBy(process.pid());
        throw new StoreStartException(
            "Cassandra exited during start (code "
                + process.exitValue()
                + "). Last lines of its log:\n"
                + tailOfLogs());
      }
      if (Ports.isListening(settings.nativePort())) {
        return;
      }
      try {
        process.waitFor(250, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
    throw new StoreStartException(
        "Cassandra did not open port "
            + settings.nativePort()
            + " within "
            + settings.startTimeout().toSeconds()
            + " s (a busy machine?). Its log is in "
            + settings.directory().resolve("logs")
            + ". Last lines:\n"
            + tailOfLogs());
  }

  private String tailOfLogs() {
    Path logs = settings.directory().toAbsolutePath().resolve("logs");
    StringBuilder tail = new StringBuilder();
    for (String name : List.of("stdout.log", "system.log")) {
      try {
        List<String> lines = Files.readAllLines(logs.resolve(name));
        lines.subList(Math.max(0, lines.size() - 15), lines.size())
            .forEach(line -> tail.append("  ").append(line).append('\n'));
      } catch (IOException e) {
        // that log does not exist yet
      }
    }
    return tail.toString();
  }

  private static List<String> command(
      List<String> launcher, Path lib, Path directory, Path yaml, Path logback) {
    // The launcher execs the JVM (chrt does), so the pid is the server's.
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // As root Cassandra mlockall()s its heap: a small initial heap keeps that cheap.
    command.add("-Xms256m");
    command.add("-Xmx1g");
    command.addAll(CassandraJvmOptions.JAVA_17);
    command.add("-Dcassandra.config=" + yaml.toUri());
    command.add("-Dcassandra.storagedir=" + directory);
    command.add("-Dcassandra-foreground=yes");
    command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    command.add("-Dcassandra.memtable.row_overhead_size=180");
    command.add("-Dcassandra.triggers_dir=" + directory.resolve("triggers"));
    command.add("-Dlogback.configurationFile=" + logback);
    command.add("-Dbackfill.parent.pid=" + ProcessHandle.current().pid());
    command.add("-cp");
    command.add(lib.toAbsolutePath() + "/*");
    command.add(LAUNCHER);
    return command;
  }
}
