package dev.backfill.bench;

import dev.backfill.bench.cluster.ServedCluster;
import dev.backfill.bench.incident.IncidentBench;
import dev.backfill.bench.incident.IncidentOptions;
import dev.backfill.bench.raw.RawBench;
import dev.backfill.bench.raw.RawOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./backfill bench ...}: benchmarks that drive the product from outside. */
@Command(
    name = "backfill bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that measure the product from outside; each starts and stops what it needs.",
    subcommands = {BenchMain.Incident.class, BenchMain.Raw.class, BenchMain.Cluster.class, CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    CommandLine commandLine = new CommandLine(new BenchMain());
    commandLine.setExecutionExceptionHandler(
        (failure, line, parsed) -> {
          if (failure instanceof IllegalArgumentException) {
            line.getErr().println("error: " + failure.getMessage());
            return 1;
          }
          failure.printStackTrace(line.getErr());
          return 2;
        });
    System.exit(commandLine.execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  @Command(
      name = "incident",
      mixinStandardHelpOptions = true,
      description = {
        "Reproduces the original incident beside this engine and measures the live recording path",
        "with an outside client at a fixed rate: alone, beside the naive task queue in the primary",
        "(W workers), beside the engine (K nodes), alone again; with the cores shared and with the",
        "primary and the live client pinned to core 0. Takes about 25 minutes with the defaults.",
        "The last line of standard output is one JSON object; a Markdown table and an SVG chart go",
        "to --report-dir."
      })
  static final class Incident implements Callable<Integer> {

    @Option(names = "--calls", defaultValue = "500000", description = "Calls to seed (default ${DEFAULT-VALUE}): every run must outlast its warm-up (up to 3 minutes) and its window.")
    int calls;

    @Option(names = "--rate", defaultValue = "200", description = "Live transactions per second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--live-connections", defaultValue = "4", description = "Connections of the live client (default ${DEFAULT-VALUE}).")
    int liveConnections;

    @Option(names = "--backfill-warmup", defaultValue = "40", description = "Seconds a backfill runs at least before the live client starts, discarded (default ${DEFAULT-VALUE}).")
    int backfillWarmupSeconds;

    @Option(names = "--backfill-warmup-max", defaultValue = "180", description = "Seconds it runs at most, waiting for the JIT compilers of every JVM to be quiet (default ${DEFAULT-VALUE}; equal to --backfill-warmup: no wait).")
    int backfillWarmupMaxSeconds;

    @Option(names = "--warmup", defaultValue = "10", description = "Seconds of live requests discarded before the window (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--window", defaultValue = "30", description = "Measured seconds per run (default ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Option(names = "--workers", split = ",", defaultValue = "1,8,32", description = "Naive fleet sizes (default ${DEFAULT-VALUE}; 0 for none).")
    List<Integer> workers;

    @Option(names = "--nodes", split = ",", defaultValue = "1,3", description = "Engine node counts (default ${DEFAULT-VALUE}; 0 for none).")
    List<Integer> nodes;

    @Option(names = "--placements", split = ",", defaultValue = "shared,pinned", description = "shared and/or pinned (default ${DEFAULT-VALUE}).")
    List<String> placements;

    @Option(names = "--processor", defaultValue = "talk-ratio", description = "Processor both designs run (default ${DEFAULT-VALUE}).")
    String processor;

    @Option(names = "--json", description = "Accepted for symmetry with demo: the JSON line is always printed last.")
    boolean json;

    @Option(names = "--dir", defaultValue = ".backfill/bench-incident", description = "Scratch folder, wiped first (default ${DEFAULT-VALUE}).")
    Path directory;

    @Option(names = "--report-dir", defaultValue = "load-tests/target/reports", description = "Where the table and chart go (default ${DEFAULT-VALUE}).")
    Path reportDirectory;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (calls < 1000) {
        throw new IllegalArgumentException("--calls must be at least 1000");
      }
      if (rate < 1 || rate > 5000) {
        throw new IllegalArgumentException("--rate must be between 1 and 5000 transactions/s");
      }
      if (liveConnections < 1 || liveConnections > 64) {
        throw new IllegalArgumentException("--live-connections must be between 1 and 64");
      }
      if (warmupSeconds < 0 || backfillWarmupSeconds < 0 || windowSeconds < 5) {
        throw new IllegalArgumentException("--warmup must be at least 0 and --window at least 5 seconds");
      }
      if (backfillWarmupMaxSeconds < backfillWarmupSeconds) {
        throw new IllegalArgumentException(
            "--backfill-warmup-max must be at least --backfill-warmup (" + backfillWarmupSeconds + " s); equal means no wait for the compilers");
      }
      for (String placement : placements) {
        if (!placement.equals("shared") && !placement.equals("pinned")) {
          throw new IllegalArgumentException("--placements takes shared and/or pinned, not " + placement);
        }
      }
      for (int count : nodes) {
        if (count < 0 || count > 5) {
          throw new IllegalArgumentException("--nodes takes counts from 1 to 5 on one machine (0 for none)");
        }
      }
      for (int count : workers) {
        if (count < 0 || count > 128) {
          throw new IllegalArgumentException("--workers takes counts from 1 to 128 (0 for none)");
        }
      }
      List<Integer> fleets = workers.stream().filter(count -> count > 0).toList();
      List<Integer> clusters = nodes.stream().filter(count -> count > 0).toList();
      String command = "./backfill bench " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
      return new IncidentBench(
              new IncidentOptions(
                  calls, rate, liveConnections, Duration.ofSeconds(backfillWarmupSeconds), Duration.ofSeconds(backfillWarmupMaxSeconds), Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(windowSeconds),
                  fleets, clusters, placements, processor, json, directory, reportDirectory, command))
          .run();
    }
  }

  @Command(
      name = "raw",
      mixinStandardHelpOptions = true,
      description = {
        "What the engine's guarantees cost: the engine on 1 and 3 nodes beside the simplest pipeline",
        "that does the same work (JDBC pages, the processor, the two Cassandra writes, no actors, no",
        "governor), alternating, then the engine with the governor out of the way, then a job over",
        "every call on one node with a small heap. Per run: calls/s, CPU per call over every process,",
        "bytes between nodes per call (socket counters), each node's share, peak primary connections,",
        "throttled time. About 20 minutes with the defaults. The last line of standard output is one",
        "JSON object; a Markdown table goes to --report-dir."
      })
  static final class Raw implements Callable<Integer> {

    @Option(names = "--calls", defaultValue = "300000", description = "Calls to seed (default ${DEFAULT-VALUE}); the heap check's job covers all of them.")
    int calls;

    @Option(names = "--warmup", defaultValue = "30", description = "Seconds each run goes before its window, discarded (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--window", defaultValue = "30", description = "Measured seconds per run (default ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Option(names = "--rounds", defaultValue = "2", description = "Times raw, engine 1 node, engine 3 nodes run in turn (default ${DEFAULT-VALUE}); 0: only the heap check.")
    int rounds;

    @Option(names = "--nodes", split = ",", defaultValue = "1,3", description = "Engine node counts (default ${DEFAULT-VALUE}).")
    List<Integer> nodes;

    @Option(names = "--budgets", split = ",", defaultValue = "default,out-of-the-way", description = "The governor's budgets the engine runs at (default ${DEFAULT-VALUE}): the shipped one, alternating with raw, and/or one raised out of the way, once after the rounds.")
    List<String> budgets;

    @Option(names = "--no-raw", description = "Skip the raw pipeline's runs (to measure a change to the engine alone).")
    boolean noRaw;

    @Option(names = "--heap", defaultValue = "384m", description = "The heap check's -Xmx (default ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--no-heap-check", description = "Skip the job over every call with a small heap.")
    boolean noHeapCheck;

    @Option(names = "--processor", defaultValue = "talk-ratio", description = "Processor both designs run (default ${DEFAULT-VALUE}).")
    String processor;

    @Option(names = "--json", description = "Accepted for symmetry with demo: the JSON line is always printed last.")
    boolean json;

    @Option(names = "--dir", defaultValue = ".backfill/bench-raw", description = "Scratch folder, wiped first (default ${DEFAULT-VALUE}).")
    Path directory;

    @Option(names = "--report-dir", defaultValue = "load-tests/target/reports", description = "Where the table goes (default ${DEFAULT-VALUE}).")
    Path reportDirectory;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (calls < 100_000) {
        throw new IllegalArgumentException("--calls must be at least 100000: every run must outlast its window");
      }
      if (warmupSeconds < 0 || windowSeconds < 5) {
        throw new IllegalArgumentException("--warmup must be at least 0 and --window at least 5 seconds");
      }
      if (rounds < 0 || rounds > 5) {
        throw new IllegalArgumentException("--rounds takes 0 (only the heap check) to 5");
      }
      if (rounds == 0 && noHeapCheck) {
        throw new IllegalArgumentException("--rounds 0 with --no-heap-check measures nothing");
      }
      for (int count : nodes) {
        if (count < 1 || count > 5) {
          throw new IllegalArgumentException("--nodes takes counts from 1 to 5 on one machine");
        }
      }
      for (String budget : budgets) {
        if (!budget.equals("default") && !budget.equals("out-of-the-way")) {
          throw new IllegalArgumentException("--budgets takes default and/or out-of-the-way, not " + budget);
        }
      }
      if (!heap.matches("\\d+[mMgG]")) {
        throw new IllegalArgumentException("--heap takes a JVM heap size such as 384m or 1g, not " + heap);
      }
      String command = "./backfill bench " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
      return new RawBench(
              new RawOptions(
                  calls, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(windowSeconds), rounds, !noRaw, nodes,
                  budgets.contains("default"), budgets.contains("out-of-the-way"), !noHeapCheck, heap, processor, directory, reportDirectory, command))
          .run();
    }
  }

  @Command(
      name = "cluster",
      mixinStandardHelpOptions = true,
      description = {
        "Starts stores seeded with calls and a cluster of nodes on them, and keeps them up for a load",
        "test in another process (the Gatling scenarios in load-tests/gatling start it): the first",
        "line of standard output is one JSON object saying where everything is (api_urls, the",
        "primary, the engine's connection cap); everything stops when standard input closes."
      })
  static final class Cluster implements Callable<Integer> {

    @Option(names = "--calls", defaultValue = "100000", description = "Calls to seed (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--nodes", defaultValue = "1", description = "Nodes to start, 1 to 5 (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--budget", defaultValue = "out-of-the-way", description = "The governor's budget: default, or out-of-the-way (raised so that a backfill runs as fast as the engine can; the connection cap stays) (default ${DEFAULT-VALUE}).")
    String budget;

    @Option(names = "--dir", defaultValue = ".backfill/bench-cluster", description = "Scratch folder, wiped first (default ${DEFAULT-VALUE}).")
    Path directory;

    @Override
    public Integer call() throws Exception {
      if (calls < 1) {
        throw new IllegalArgumentException("--calls must be at least 1");
      }
      if (nodes < 1 || nodes > 5) {
        throw new IllegalArgumentException("--nodes takes 1 to 5 on one machine");
      }
      if (!budget.equals("default") && !budget.equals("out-of-the-way")) {
        throw new IllegalArgumentException("--budget takes default or out-of-the-way, not " + budget);
      }
      return new ServedCluster(calls, nodes, budget.equals("out-of-the-way"), directory, System.out, System.err).run();
    }
  }
}
