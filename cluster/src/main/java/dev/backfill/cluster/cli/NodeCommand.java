package dev.backfill.cluster.cli;

import com.typesafe.config.Config;
import dev.backfill.cluster.local.CpuPriority;
import dev.backfill.cluster.node.BackfillNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one cluster node until it is stopped.",
      "Ctrl-C or SIGTERM leave the cluster gracefully.",
      "Start the stores first (`./backfill stores start`) or point --config at your own."
    })
final class NodeCommand implements Runnable {

  @Mixin ConfigOption config;

  @Option(
      names = "--exit-with",
      paramLabel = "PID",
      hidden = true,
      description = "Leave the cluster when process PID ends (the demo's nodes use it).")
  Long parentPid;

  @Override
  public void run() {
    Config settings = config.load();
    CpuPriority priority;
    try {
      priority = CpuPriority.parse(settings.getString("backfill.node.cpu-priority"));
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    // Before the node starts its threads' work: they inherit the policy of the thread starting
    // them. A split node's process goes to nice 19 under the normal policy, and its data plane's
    // threads put themselves in the background as they start (dev.backfill.engine.threads).
    System.err.println("node runs " + priority.applyToNode(ProcessHandle.current().pid()));
    BackfillNode node = BackfillNode.start(settings);
    if (parentPid != null) {
      ProcessHandle.of(parentPid)
          .ifPresentOrElse(
              parent -> parent.onExit().thenRun(node::close), node::close);
    }
    System.err.println("node up; HTTP API at " + node.apiUrl() + " (Ctrl-C to stop)");
    node.awaitTermination();
  }
}
