package dev.backfill.cluster.cli;

import dev.backfill.cluster.demo.Chaos;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
      "Kills nodes, and stops stores, under a running backfill and checks that nothing was lost or",
      "done twice. Starts local stores and --nodes nodes (separate JVMs), runs a backfill of --calls",
      "calls, kills (kill -9) a node --kills times at random moments (the first time the node running",
      "the job), times each recovery from the kill to the job's next checkpoint in the journal, and",
      "starts the node again; with --store-outages it then stops Cassandra and PostgreSQL, each for",
      "30 s, and starts them again on the same data. Then it counts in the stores what is missing or",
      "duplicated or failed. Exit code 0 only if nothing is. The job is paced (its own max_calls_per_second)",
      "so that it outlasts every kill and outage, and runs at full speed after them."
    })
final class ChaosCommand implements Callable<Integer> {

  @Option(names = "--calls", defaultValue = "20000", description = "Calls to backfill (default ${DEFAULT-VALUE}).")
  int calls;

  @Option(names = "--nodes", defaultValue = "3", description = "Cluster nodes, 3 to 5 (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--kills", defaultValue = "10", description = "kill -9s to make (default ${DEFAULT-VALUE}).")
  int kills;

  @Option(
      names = "--store-outages",
      description = "After the kills, stop Cassandra, then PostgreSQL, each for 30 s, and start them again.")
  boolean storeOutages;

  @Option(
      names = "--separate-journal",
      description = "Run the journal on a PostgreSQL server of its own, as in production (outages stop each in turn).")
  boolean separateJournal;

  @Option(names = "--seed", defaultValue = "7", description = "Random seed for the calls and the kills.")
  long seed;

  @Option(names = "--json", description = "End standard output with one JSON object of the figures.")
  boolean json;

  @Option(names = "--dir", defaultValue = ".backfill/chaos", description = "Scratch folder, wiped first (default ${DEFAULT-VALUE}).")
  Path directory;

  @Override
  public Integer call() throws Exception {
    if (calls < 1 || kills < 0) {
      throw new CliException("--calls must be at least 1 and --kills at least 0");
    }
    // The split brain resolver keeps the majority: after a kill the survivors must be more than
    // half of the cluster, or they down themselves (with two nodes, half the time).
    if (nodes < 3 || nodes > 5) {
      throw new CliException("--nodes must be between 3 and 5: a majority must survive each kill");
    }
    return new Chaos(new Chaos.Options(calls, nodes, kills, storeOutages, separateJournal, seed, json, directory))
            .run()
            .sound()
        ? 0
        : 1;
  }
}
