package dev.backfill.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Operators under load: while a large backfill runs at full speed (the governor's budget out of
 * the way, so the node is as busy as it gets), operators poll the job list, a job and the
 * governor, and others submit small jobs and pause, retune, resume and cancel them. No request
 * may fail; the latency ceiling ({@link ApiGates}) is meant for real regressions (the target, a p99
 * of 50 ms, is read from the report: a timed gate on a shared machine would only flake).
 *
 * <p>{@code -Dbackfill.api=URL[,URL]} runs it against nodes already up (and {@code
 * -Dbackfill.primary.url=...} to watch their connections on the primary); otherwise it starts its
 * own stores and node and stops them at the end.
 */
public class OperatorsUnderLoadSimulation extends Simulation {

  private static final int CALLS = Integer.getInteger("backfill.calls", 150_000);
  private static final Duration LOAD = Duration.ofSeconds(Integer.getInteger("backfill.load-seconds", 60));
  private static final int POLLERS = Integer.getInteger("backfill.pollers", 20);
  private static final int TUNERS = Integer.getInteger("backfill.tuners", 5);
  private static final Duration THINK_MIN = Duration.ofMillis(100);
  private static final Duration THINK_MAX = Duration.ofMillis(500);

  private final BackfillCluster cluster = BackfillCluster.startOrFind("operators", 1, CALLS);

  /** The large backfill: submitted, watched while the others work, and cancelled at the end. */
  private final ScenarioBuilder backfill =
      scenario("a large backfill at full speed")
          .exec(
              http("POST /jobs (the large backfill)")
                  .post("/jobs")
                  .body(StringBody("{\"processor\":\"talk-ratio\",\"version\":1}"))
                  .check(status().is(202), jsonPath("$.job_id").saveAs("largeJob")))
          .exec(
              during(LOAD)
                  .on(
                      exec(http("GET /jobs/{id} (the large backfill)")
                              .get("/jobs/#{largeJob}")
                              .check(
                                  status().is(200),
                                  jsonPath("$.status").in("SUBMITTED", "RUNNING", "THROTTLED", "COMPLETED")))
                          .pause(Duration.ofSeconds(1))))
          .exec(
              http("GET /jobs/{id} (the large backfill, at the end)")
                  .get("/jobs/#{largeJob}")
                  .check(status().is(200), jsonPath("$.processed").ofLong().saveAs("largeProcessed")))
          .exec(
              session -> {
                System.err.printf(
                    "the large backfill processed %,d calls during the scenario%n", session.getLong("largeProcessed"));
                return session;
              })
          .exec(http("POST /jobs/{id}/cancel (the large backfill)").post("/jobs/#{largeJob}/cancel").check(status().in(200, 409)))
          .exec(PrimaryCap.check(cluster.primaryConnections()));

  private final ScenarioBuilder pollers =
      scenario("operators polling")
          .exec(
              during(LOAD)
                  .on(
                      exec(http("GET /jobs")
                              .get("/jobs")
                              .check(status().is(200), jsonPath("$.jobs[*].job_id").findRandom().optional().saveAs("anyJob")))
                          .pause(THINK_MIN, THINK_MAX)
                          .doIf(session -> session.contains("anyJob"))
                          .then(exec(http("GET /jobs/{id}").get("/jobs/#{anyJob}").check(status().is(200))))
                          .pause(THINK_MIN, THINK_MAX)
                          .exec(http("GET /governor").get("/governor").check(status().is(200), jsonPath("$.mode").exists()))
                          .pause(THINK_MIN, THINK_MAX)));

  /** Finished small jobs answer 409 to pause, resume and retune: the right answer, not a failure. */
  private static final ChainBuilder TUNE_A_SMALL_JOB =
      exec(session -> session.set("smallJob", SmallJobs.body()))
          .exec(
              http("POST /jobs (small)")
                  .post("/jobs")
                  .body(StringBody("#{smallJob}"))
                  .check(status().is(202), jsonPath("$.job_id").saveAs("small")))
          .pause(THINK_MIN, THINK_MAX)
          .exec(http("POST /jobs/{id}/pause").post("/jobs/#{small}/pause").check(status().in(200, 409)))
          .pause(THINK_MIN, THINK_MAX)
          .exec(
              http("PATCH /jobs/{id}")
                  .patch("/jobs/#{small}")
                  .body(StringBody("{\"priority\":3,\"max_calls_per_second\":200}"))
                  .check(status().in(200, 409)))
          .pause(THINK_MIN, THINK_MAX)
          .exec(http("POST /jobs/{id}/resume").post("/jobs/#{small}/resume").check(status().in(200, 409)))
          .pause(THINK_MIN, THINK_MAX)
          .exec(http("POST /jobs/{id}/cancel").post("/jobs/#{small}/cancel").check(status().in(200, 409)));

  private final ScenarioBuilder tuners =
      scenario("operators tuning small jobs").exec(during(LOAD).on(TUNE_A_SMALL_JOB));

  {
    setUp(
            backfill.injectOpen(atOnceUsers(1)),
            pollers.injectOpen(rampUsers(POLLERS).during(Duration.ofSeconds(5))),
            tuners.injectOpen(rampUsers(TUNERS).during(Duration.ofSeconds(5))))
        .protocols(cluster.api())
        .assertions(ApiGates.all());
  }

  @Override
  public void before() {
    cluster.warmUpIfStarted();
  }

  @Override
  public void after() {
    cluster.close();
  }
}
