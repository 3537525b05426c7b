package dev.backfill.gatling;

import static io.gatling.javaapi.http.HttpDsl.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster a scenario runs against. Unless the system property {@code backfill.api} names
 * nodes already running (comma-separated base URLs), it starts its own: stores seeded with calls
 * and nodes on them, in a process of their own ({@code ./backfill bench cluster}, the engine as it
 * ships, with its Netty and not Gatling's), and stops them when the scenario ends.
 *
 * <p>It watches the engine's connections on the primary when it knows the primary: always for a
 * cluster it started, for one already running when {@code backfill.primary.url} names it.
 */
final class BackfillCluster implements AutoCloseable {

  /** The primary, and what the engine's connections on it are called and capped at. */
  record Primary(String url, String user, String password, String applicationName, int maxConcurrentQueries) {}

  /** How long seeding and starting may take before the scenario gives up. */
  private static final long START_TIMEOUT_MINUTES = 10;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> apiUrls;
  private final Optional<PrimaryConnections> primaryConnections;
  private final Process process;

  private BackfillCluster(List<String> apiUrls, Optional<Primary> primary, Process process) {
    this.apiUrls = apiUrls;
    this.process = process;
    this.primaryConnections = primary.map(PrimaryConnections::watch);
  }

  /** The nodes' API, round robin over them, talking to loopback only. */
  HttpProtocolBuilder api() {
    return http.baseUrls(apiUrls)
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        // Its default warm-up request goes to gatling.io. The engine is warmed by WarmCluster.
        .disableWarmUp();
  }

  /**
   * Brings a cluster this scenario started to the state of one in service ({@link WarmCluster},
   * {@code -Dbackfill.warm-up-months}, 2 by default; 0 skips it). A cluster given by address is
   * taken as it is.
   */
  void warmUpIfStarted() {
    if (process != null) {
      WarmCluster.warm(apiUrls, Integer.getInteger("backfill.warm-up-months", 2));
    }
  }

  /** The engine's connections on the primary, watched from when the cluster was found or started. */
  Optional<PrimaryConnections> primaryConnections() {
    return primaryConnections;
  }

  static BackfillCluster startOrFind(String name, int nodes, int calls) {
    String given = System.getProperty("backfill.api", "").trim();
    if (!given.isEmpty()) {
      List<String> urls = Arrays.stream(given.split(",")).map(String::trim).filter(url -> !url.isEmpty()).toList();
      return new BackfillCluster(urls, givenPrimary(), null);
    }
    return start(name, nodes, calls);
  }

  private static Optional<Primary> givenPrimary() {
    String url = System.getProperty("backfill.primary.url", "").trim();
    if (url.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Primary(
            url,
            System.getProperty("backfill.primary.user", "postgres"),
            System.getProperty("backfill.primary.password", "postgres"),
            System.getProperty("backfill.primary.application-name", "backfill-engine"),
            Integer.getInteger("backfill.primary.max-concurrent-queries", 2)));
  }

  private static BackfillCluster start(String name, int nodes, int calls) {
    Path root = Path.of(System.getProperty("backfill.root", "../..")).toAbsolutePath().normalize();
    Path script = root.resolve("backfill");
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException(
          "cannot start a cluster: no ./backfill in " + root + " (set -Dbackfill.root, or -Dbackfill.api=URL for running nodes)");
    }
    List<String> command = new ArrayList<>(List.of(script.toString(), "bench", "cluster"));
    command.addAll(
        List.of(
            "--nodes", Integer.toString(nodes),
            "--calls", Integer.toString(calls),
            "--dir", root.resolve(".backfill").resolve("gatling-" + name).toString()));
    System.err.println("starting " + String.join(" ", command));
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(root.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
    }
    // Whatever ends this JVM, the stores and nodes end with it.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process)));
    try {
      JsonNode where = JSON.readTree(firstLine(process));
      List<String> urls = new ArrayList<>();
      where.path("api_urls").forEach(url -> urls.add(url.asText()));
      Primary primary =
          new Primary(
              where.path("primary_url").asText(),
              where.path("primary_user").asText(),
              where.path("primary_password").asText(),
              where.path("engine_application_name").asText(),
              where.path("max_concurrent_queries").asInt());
      return new BackfillCluster(urls, Optional.of(primary), process);
    } catch (IOException | RuntimeException e) {
      stop(process);
      throw new IllegalStateException("the cluster did not start: " + e.getMessage(), e);
    }
  }

  /** The line that says where everything is, or a failure if the process ends or takes too long. */
  private static String firstLine(Process process) throws IOException {
    var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    var line = new CompletableFuture<String>();
    Thread readerThread =
        new Thread(
            () -> {
              try {
                line.complete(reader.readLine());
              } catch (IOException e) {
                line.completeExceptionally(e);
              }
            },
            "cluster-first-line");
    readerThread.setDaemon(true);
    readerThread.start();
    try {
      String first = line.get(START_TIMEOUT_MINUTES, TimeUnit.MINUTES);
      if (first == null) {
        throw new IOException("./backfill bench cluster ended with exit code " + process.waitFor() + " before it was up");
      }
      return first;
    } catch (TimeoutException e) {
      throw new IOException("./backfill bench cluster was not up within " + START_TIMEOUT_MINUTES + " minutes");
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the cluster started");
    }
  }

  /**
   * Stops watching the primary, and stops what {@link #start} started: closing its input ends it,
   * after it has stopped everything.
   */
  @Override
  public void close() {
    primaryConnections.ifPresent(PrimaryConnections::close);
    if (process != null) {
      stop(process);
    }
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    try {
      process.getOutputStream().close();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        // It stops its children on SIGTERM too (its shutdown hook), then goes for good.
        process.destroy();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
          process.destroyForcibly();
        }
      }
    } catch (IOException e) {
      process.destroy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
    }
  }
}
