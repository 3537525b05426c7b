package dev.backfill.gatling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Brings a cluster the scenario has just started to the state of one in service: every node has
 * taken a submission and run a backfill, so its JIT compiler has compiled the API's and the
 * pipeline's code. Without it the scenario measures three fresh JVMs compiling everything at once
 * on two cores: in the submission burst, every request slower than 0.6 s came in its first five
 * seconds (up to 4.8 s), and none after (2026-12-01). That start is reported in the README, not
 * hidden; the gates judge the API of a running cluster, which operators meet after days of
 * backfills, not minutes.
 *
 * <p>It submits one job to each node's API with {@link #PROCESSOR}, which the scenarios' own jobs
 * never use (so their calls are not found already done), each over {@code months} months of every
 * tenant's calls, and waits until all have completed. Sharding decides which node runs each job;
 * every node serves a submission and takes part in the reading either way (a job's calls are
 * processed on the nodes that host their blocks). Outside Gatling: none of it is in the
 * report. {@code -Dbackfill.warm-up-months=0} skips it.
 */
final class WarmCluster {

  static final String PROCESSOR = "keyword-tracker";
  private static final LocalDate FIRST_MONTH = LocalDate.of(2024, 1, 1);
  private static final Duration PATIENCE = Duration.ofMinutes(5);
  private static final Executor NEXT_POLL = CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS);
  private static final ObjectMapper JSON = new ObjectMapper();

  private WarmCluster() {}

  static void warm(List<String> apiUrls, int months) {
    if (months <= 0) {
      return;
    }
    long started = System.nanoTime();
    HttpClient client =
        HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(5)).build();
    List<String> jobs = new ArrayList<>();
    for (int node = 0; node < apiUrls.size(); node++) {
      LocalDate from = FIRST_MONTH.plusMonths((long) node * months);
      String body =
          "{\"processor\":\"" + PROCESSOR + "\",\"version\":1,\"parameters\":{\"keywords\":\"price,contract\"},\"from\":\"" + from + "\",\"to\":\"" + from.plusMonths(months) + "\"}";
      JsonNode accepted = send(client, HttpRequest.newBuilder(URI.create(apiUrls.get(node) + "/jobs"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)), 202);
      jobs.add(accepted.path("job_id").asText());
    }
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    long calls = 0;
    for (String job : jobs) {
      HttpRequest.Builder statusRequest = HttpRequest.newBuilder(URI.create(apiUrls.get(0) + "/jobs/" + job)).GET();
      JsonNode status = send(client, statusRequest, 200);
      while (!status.path("status").asText().equals("COMPLETED")) {
        String phase = status.path("status").asText();
        if (AcceptedJobs.FINAL.contains(phase)) {
          throw new IllegalStateException("a warm-up job ended " + phase + ": " + status);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the warm-up jobs did not complete within " + PATIENCE.toMinutes() + " minutes");
        }
        status = pollAgain(() -> send(client, statusRequest, 200));
      }
      calls += status.path("processed").asLong();
    }
    if (calls == 0) {
      // Jobs over months the seed has no calls in would complete at once and warm nothing.
      throw new IllegalStateException(
          "the warm-up jobs processed no call: the seeded calls do not cover the months from " + FIRST_MONTH);
    }
    System.err.printf(
        "warm-up: %d %s jobs (one submitted to each node) processed %,d calls in %d s%n",
        jobs.size(), PROCESSOR, calls, Duration.ofNanos(System.nanoTime() - started).toSeconds());
  }

  private static JsonNode send(HttpClient client, HttpRequest.Builder request, int expected) {
    try {
      HttpResponse<String> response =
          client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expected) {
        throw new IllegalStateException(
            "warm-up: " + response.request().uri() + " answered " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("warm-up: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("warm-up interrupted", e);
    }
  }

  /**
   * The next poll of a job's status, a second after the last: the API has no way to wait for a
   * job's end, so the warm-up polls another process, bounded by {@link #PATIENCE}.
   */
  private static JsonNode pollAgain(Supplier<JsonNode> poll) {
    try {
      return CompletableFuture.supplyAsync(poll, NEXT_POLL).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }
}
