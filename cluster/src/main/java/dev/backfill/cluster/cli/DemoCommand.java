package dev.backfill.cluster.cli;

import dev.backfill.cluster.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole product once on this machine and reports its figures.",
      "Starts local stores, seeds calls, starts --nodes cluster nodes (separate JVMs), submits",
      "--jobs backfills through the HTTP API, shows their progress, prints a report, and stops",
      "everything it started. Exit code 0 only if every job completed and every call has its",
      "result in Cassandra for every job."
    })
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--calls", defaultValue = "50000", description = "Calls to seed and backfill (default ${DEFAULT-VALUE}).")
  int calls;

  @Option(names = "--processor", defaultValue = "talk-ratio", description = "Processor to run (default ${DEFAULT-VALUE}).")
  String processor;

  @Option(names = "--nodes", defaultValue = "1", description = "Cluster nodes, each its own JVM (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--jobs", defaultValue = "1", description = "Concurrent jobs, each with another processor (default ${DEFAULT-VALUE}, at most 6).")
  int jobs;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed for the calls (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "End standard output with one JSON object of the figures.")
  boolean json;

  @Option(names = "--keep", description = "Leave the node and stores running afterwards (Ctrl-C stops them).")
  boolean keep;

  @Option(names = "--dir", defaultValue = ".backfill/demo", description = "Scratch folder, wiped first (default ${DEFAULT-VALUE}).")
  Path directory;

  @Override
  public Integer call() throws Exception {
    if (calls < 1) {
      throw new CliException("--calls must be at least 1");
    }
    if (nodes < 1 || nodes > 5) {
      throw new CliException("--nodes must be between 1 and 5 on one machine");
    }
    return new Demo(new Demo.Options(calls, processor, nodes, jobs, seed, json, keep, directory)).run();
  }
}
