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
      "Kills nodes under a running backfill and checks that nothing was lost or done twice.",
      "Starts local stores and --nodes nodes (separate JVMs), runs a backfill of --calls calls,",
      "kills (kill -9) a random node --kills times at random moments and starts it again, then",
      "counts in Cassandra what is missing or duplicated. Exit code 0 only if nothing is.",
      "The job is paced (its own max_calls_per_second) so that every kill lands while it runs."
    })
final class ChaosCommand implements Callable<Integer> {

  @Option(names = "--calls", defaultValue = "20000", description = "Calls to backfill (default ${DEFAULT-VALUE}).")
  int calls;

  @Option(names = "--nodes", defaultValue = "3", description = "Cluster nodes (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--kills", defaultValue = "3", description = "kill -9s to make (default ${DEFAULT-VALUE}).")
  int kills;

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
    if (nodes < 2 || nodes > 5) {
      throw new CliException("--nodes must be between 2 and 5: a node must survive each kill");
    }
    return new Chaos(new Chaos.Options(calls, nodes, kills, seed, json, directory)).run().sound() ? 0 : 1;
  }
}
