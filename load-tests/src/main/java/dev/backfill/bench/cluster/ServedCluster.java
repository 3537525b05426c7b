package dev.backfill.bench.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.bench.engine.EngineBackfill;
import dev.backfill.bench.engine.SeededStores;
import dev.backfill.bench.raw.RawBench;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./backfill bench cluster}: stores seeded with calls and a cluster of nodes on them, kept
 * up for a load test that runs in another process (the Gatling scenarios in load-tests/gatling),
 * which reads where everything is from the first line of standard output and ends it all by
 * closing standard input (or with SIGTERM). Nothing is submitted: the load test drives the
 * cluster through its API, as an operator would.
 *
 * @param calls calls seeded into the primary
 * @param nodes nodes started
 * @param outOfTheWay whether the governor's budget and thresholds are raised out of the way (the
 *     connection cap stays), so that a backfill runs as fast as the engine can
 * @param directory scratch folder, wiped first
 */
public record ServedCluster(int calls, int nodes, boolean outOfTheWay, Path directory, PrintStream out, PrintStream err) {

  public int run() throws Exception {
    // Whatever has started is stopped once: when input ends, on a failure, or by SIGTERM (the
    // JVM's shutdown hooks), also while the stores or the nodes are still starting.
    AtomicReference<SeededStores> stores = new AtomicReference<>();
    AtomicReference<EngineBackfill> cluster = new AtomicReference<>();
    AtomicBoolean stopped = new AtomicBoolean();
    Runnable stopAll =
        () -> {
          if (stopped.compareAndSet(false, true)) {
            err.println("stopping the nodes and the stores ...");
            try {
              if (cluster.get() != null) {
                cluster.get().close();
              }
            } finally {
              if (stores.get() != null) {
                stores.get().close();
              }
            }
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stopAll, "stop-cluster"));
    try {
      stores.set(SeededStores.start(directory, calls, err));
      Path nodeDirectory = Files.createDirectories(directory.resolve("nodes"));
      err.printf("starting %d node%s ...%n", nodes, nodes == 1 ? "" : "s");
      cluster.set(
          EngineBackfill.launch(
              nodes,
              stores.get().stores().endpoints(),
              stores.get().settings(),
              "load_test",
              nodeDirectory,
              outOfTheWay ? RawBench.GOVERNOR_OUT_OF_THE_WAY : "",
              List.of()));
      out.println(new ObjectMapper().writeValueAsString(whereEverythingIs(stores.get(), cluster.get())));
      out.flush();
      err.println("cluster up; it stops when standard input closes");
      awaitEndOfInput();
    } finally {
      stopAll.run();
    }
    return 0;
  }

  private Map<String, Object> whereEverythingIs(SeededStores stores, EngineBackfill cluster) {
    var primary = stores.settings().primary();
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("api_urls", cluster.nodes().apiUrls());
    line.put("calls", calls);
    line.put("primary_url", primary.url());
    line.put("primary_user", primary.user());
    line.put("primary_password", primary.password());
    // What the engine's page queries and probe call themselves on the primary, and its cap.
    line.put("engine_application_name", primary.applicationName());
    line.put("max_concurrent_queries", stores.config().getInt("backfill.governor.max-concurrent-queries"));
    return line;
  }

  /** Returns when whoever started this process closes its standard input (or it ends). */
  private static void awaitEndOfInput() throws Exception {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      while (in.readLine() != null) {
        // Lines mean nothing: only the end of input does.
      }
    }
  }
}
