package dev.backfill.cluster.demo;

import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.cli.CliException;
import dev.backfill.stores.Endpoints;
import dev.backfill.stores.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cluster nodes as separate JVMs on loopback, each launched with a config file of its own exactly
 * as an operator would ({@code backfill node --config FILE}), forming one cluster (every node is
 * a seed of every other). They leave the cluster when the demo's JVM ends, however it ends.
 */
public final class ChildNodes implements AutoCloseable {

  record Node(Process process, String apiUrl, Path log, List<String> command, int remotePort) {}

  private final List<Node> nodes = new ArrayList<>();

  private ChildNodes() {}

  public static ChildNodes start(int count, Endpoints stores, String keyspace, Path directory) throws IOException {
    return start(count, stores, keyspace, directory, "");
  }

  /**
   * Starts {@code count} nodes whose config files also carry {@code extraConfig} (HOCON lines,
   * after everything else, so they win).
   */
  public static ChildNodes start(int count, Endpoints stores, String keyspace, Path directory, String extraConfig)
      throws IOException {
    return start(count, stores, keyspace, directory, extraConfig, List.of());
  }

  /**
   * ... and whose JVMs take {@code jvmOptions} after the defaults and BACKFILL_NODE_JAVA_OPTS (so a
   * heap size here wins).
   */
  public static ChildNodes start(
      int count, Endpoints stores, String keyspace, Path directory, String extraConfig, List<String> jvmOptions)
      throws IOException {
    ChildNodes started = new ChildNodes();
    // Every node lists every node as a seed. With only the first node as seed, that node, once
    // restarted after a crash, would join itself and form a second cluster beside the first: two
    // clusters, two copies of each job. A first seed joins itself only when no other seed answers.
    List<Integer> remotePorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      remotePorts.add(Ports.freePort());
    }
    try {
      for (int i = 0; i < count; i++) {
        int remotePort = remotePorts.get(i);
        int httpPort = Ports.freePort();
        Path config = directory.resolve("node-" + (i + 1) + ".conf");
        Files.writeString(config, config(stores, keyspace, remotePort, remotePorts, httpPort) + extraConfig + "\n");
        Path log = directory.resolve("node-" + (i + 1) + ".log");
        List<String> command = command(config, jvmOptions);
        started.nodes.add(new Node(launch(command, log), "http://127.0.0.1:" + httpPort, log, command, remotePort));
      }
      for (Node node : started.nodes) {
        awaitApi(node);
      }
      return started;
    } catch (RuntimeException | IOException e) {
      started.close();
      throw e;
    }
  }

  public List<String> apiUrls() {
    return nodes.stream().map(Node::apiUrl).toList();
  }

  public int size() {
    return nodes.size();
  }

  /** The node's cluster address, as its jobs' {@code hosted_by} names it. */
  public String address(int index) {
    return "pekko://backfill@127.0.0.1:" + nodes.get(index).remotePort();
  }

  /** The node's process id (of its current incarnation). */
  public long pid(int index) {
    return nodes.get(index).process().pid();
  }

  /** The port each node's cluster remoting listens on, in node order. */
  public List<Integer> remotePorts() {
    return nodes.stream().map(Node::remotePort).toList();
  }

  /** False once the node's process has ended, whoever ended it. */
  public boolean isAlive(int index) {
    return nodes.get(index).process().isAlive();
  }

  /** The node with this cluster address (pekko://backfill@127.0.0.1:PORT), or -1. */
  public int indexOf(String clusterAddress) {
    for (int i = 0; i < nodes.size(); i++) {
      if (clusterAddress != null && clusterAddress.endsWith(":" + nodes.get(i).remotePort())) {
        return i;
      }
    }
    return -1;
  }

  /** kill -9: the node gets no chance to leave, hand off or checkpoint. */
  public void kill(int index) throws InterruptedException {
    Process process = nodes.get(index).process();
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Starts a killed node again with the same config (same ports: a new incarnation rejoins). */
  public void restart(int index) throws IOException {
    Node old = nodes.get(index);
    Node restarted =
        new Node(launch(old.command(), old.log()), old.apiUrl(), old.log(), old.command(), old.remotePort());
    nodes.set(index, restarted);
    awaitApi(restarted);
  }

  /**
   * Waits until the node answers {@code GET /ready} with 200: an Up member of the cluster whose
   * stores answer. A restarted node that is still joining must not be counted on: killing another
   * node meanwhile could leave no majority.
   */
  public void awaitReady(int index) {
    awaitAnswer(
        nodes.get(index),
        "/ready",
        "a node exited while joining",
        "a node was not ready (an Up member, its stores answering) within 120 s");
  }

  private static Process launch(List<String> command, Path log) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** SIGTERM: each node leaves the cluster through coordinated shutdown. */
  @Override
  public void close() {
    if (nodes.isEmpty()) {
      return;
    }
    nodes.forEach(node -> node.process().destroy());
    for (Node node : nodes) {
      try {
        if (!node.process().waitFor(60, TimeUnit.SECONDS)) {
          node.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        node.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void awaitApi(Node node) {
    awaitAnswer(node, "/processors", "a node exited while starting", "a node did not open its API within 120 s");
  }

  /** Waits up to 120 s for {@code path} to answer 200, failing at once if the node exits. */
  private static void awaitAnswer(Node node, String path, String exited, String timedOut) {
    ApiClient api = new ApiClient(node.apiUrl());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!node.process().isAlive()) {
        throw new CliException(exited + "; see " + node.log());
      }
      try {
        if (api.get(path).ok()) {
          return;
        }
      } catch (CliException notYet) {
        // not listening yet
      }
      try {
        node.process().waitFor(250, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted");
      }
    }
    throw new CliException(timedOut + "; see " + node.log());
  }

  private static List<String> command(Path config, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    // The JVM's default collector (G1). ZGC was used while the governor timed its probe from this
    // JVM, where a pause read as the primary being slow; the primary times the probe now, and
    // ZGC's concurrent cycles cost CPU that, on a machine shared with the primary, the live path pays.
    String extra = System.getenv("BACKFILL_NODE_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.backfill.cluster.Main");
    command.addAll(
        List.of("node", "--config", config.toString(), "--exit-with", Long.toString(ProcessHandle.current().pid())));
    return command;
  }

  private static String config(
      Endpoints stores, String keyspace, int remotePort, List<Integer> seedPorts, int httpPort) {
    String seeds =
        String.join(
            ", ", seedPorts.stream().map(port -> "\"pekko://backfill@127.0.0.1:" + port + "\"").toList());
    return """
        include classpath("application")
        backfill.primary.url = "%s"
        backfill.journal.url = "%s"
        backfill.primary.user = "%s"
        backfill.journal.user = "%s"
        backfill.cassandra.contact-points = ["%s"]
        backfill.cassandra.keyspace = "%s"
        backfill.http.port = %d
        pekko.remote.artery.canonical.port = %d
        pekko.cluster.seed-nodes = [%s]
        """
        .formatted(
            stores.primaryUrl(),
            stores.journalUrl(),
            stores.user(),
            stores.user(),
            stores.cassandraContactPoint(),
            keyspace,
            httpPort,
            remotePort,
            seeds);
  }
}
