package dev.backfill.cluster.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.cluster.cli.CliException;
import dev.backfill.cluster.node.NodeConfig;
import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.stores.Endpoints;
import dev.backfill.stores.LocalStores;
import dev.backfill.stores.PidFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the local stores running in the background for {@code ./backfill node}: a small JVM of
 * its own ("stores serve") that owns PostgreSQL and the Cassandra child, on the fixed ports the
 * default configuration names, and stops both on SIGTERM. The commands find it by its pid file.
 */
public final class StoresHost {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final PidFile pidFile;
  private final Path readyFile;
  private final Path logFile;

  public StoresHost(Path directory) {
    this.directory = directory.toAbsolutePath();
    this.pidFile = new PidFile(this.directory.resolve("stores.pid"));
    this.readyFile = this.directory.resolve("stores.json");
    this.logFile = this.directory.resolve("stores.log");
  }

  /** Starts the host in the background and waits until its stores answer. */
  public Endpoints startInBackground() {
    try {
      CpuPriority.fromEnvironment();
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    Optional<ProcessHandle> running = pidFile.liveProcess("stores serve");
    if (running.isPresent()) {
      throw new CliException(
          "the stores already run (pid " + running.get().pid() + "); `./backfill stores status` shows them");
    }
    try {
      Files.createDirectories(directory);
      Files.deleteIfExists(readyFile);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx256m");
      String cassandraLib = System.getProperty("backfill.cassandra.lib");
      if (cassandraLib != null) {
        command.add("-Dbackfill.cassandra.lib=" + cassandraLib);
      }
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("dev.backfill.cluster.Main");
      command.addAll(List.of("stores", "serve", "--dir", directory.toString()));
      Process host =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (System.nanoTime() < deadline) {
        if (Files.exists(readyFile)) {
          return JSON.readValue(readyFile.toFile(), Endpoints.class);
        }
        if (host.waitFor(250, TimeUnit.MILLISECONDS)) {
          throw new CliException(
              "the stores did not start:\n" + lastLines(logFile, 12) + "(full log: " + logFile + ")");
        }
      }
      host.destroy();
      throw new CliException("the stores did not start within 240 s; see " + logFile);
    } catch (IOException e) {
      throw new CliException("cannot start the stores: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  /** The body of "stores serve": start, tell the waiting command, then hold until SIGTERM. */
  public void serve() throws InterruptedException, IOException {
    long pid = ProcessHandle.current().pid();
    pidFile.write(pid);
    LocalStores stores;
    try {
      stores = LocalStores.start(LocalStores.Layout.standard(directory));
    } catch (RuntimeException e) {
      pidFile.deleteIfOwnedBy(pid);
      throw e;
    }
    // The primary is the machine's production database here; the engine's own store yields to it.
    System.err.println("Cassandra runs at " + CpuPriority.fromEnvironment().applyTo(stores.cassandraPid()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    stores.close();
                  } finally {
                    pidFile.deleteIfOwnedBy(pid);
                    try {
                      Files.deleteIfExists(readyFile);
                    } catch (IOException ignored) {
                      // the next start rewrites it
                    }
                    stopped.countDown();
                  }
                },
                "stop-stores"));
    Endpoints endpoints = stores.endpoints();
    new SchemaInstaller(EngineSettings.create(NodeConfig.load(Optional.empty(), NodeConfig.forStores(endpoints))))
        .installAll();
    JSON.writeValue(readyFile.toFile(), endpoints);
    System.err.println("stores ready: " + endpoints);
    stopped.await();
  }

  /** Stops the host (and so both stores) gracefully; true if something was running. */
  public boolean stop() {
    Optional<ProcessHandle> running = pidFile.liveProcess("stores serve");
    if (running.isEmpty()) {
      // A live process that merely fails the check keeps the file: it may be the host after all.
      if (pidFile.liveProcess().isEmpty()) {
        pidFile.delete();
      }
      return false;
    }
    ProcessHandle host = running.get();
    host.destroy();
    try {
      host.onExit().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      host.destroyForcibly();
      throw new CliException("the stores did not stop within 120 s; killed pid " + host.pid());
    }
    return true;
  }

  public Optional<ProcessHandle> running() {
    return pidFile.liveProcess("stores serve");
  }

  public Optional<Endpoints> endpoints() {
    try {
      return Files.exists(readyFile)
          ? Optional.of(JSON.readValue(readyFile.toFile(), Endpoints.class))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public Path directory() {
    return directory;
  }

  private static String lastLines(Path file, int count) {
    try {
      List<String> lines = Files.readAllLines(file);
      StringBuilder tail = new StringBuilder();
      lines.subList(Math.max(0, lines.size() - count), lines.size())
          .forEach(line -> tail.append("  ").append(line).append('\n'));
      return tail.toString();
    } catch (IOException e) {
      return "";
    }
  }
}
