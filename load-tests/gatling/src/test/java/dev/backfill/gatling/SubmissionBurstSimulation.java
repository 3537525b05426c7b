package dev.backfill.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * A submission burst: a few hundred jobs submitted within a minute to a cluster of three nodes,
 * spread over all three, one in ten of them a request the API must refuse. Every valid one is
 * accepted (202) and every other refused with a 400 and a problem body; then every accepted job
 * must be listed by {@code GET /jobs} with a final status (none lost), and the engine's
 * connections on the primary must have stayed within its cap throughout.
 *
 * <p>{@code -Dbackfill.api=URL,URL,URL} runs it against nodes already up (and {@code
 * -Dbackfill.primary.url=...} to watch their connections on the primary); otherwise it starts its
 * own stores and three nodes and stops them at the end.
 */
public class SubmissionBurstSimulation extends Simulation {

  private static final int CALLS = Integer.getInteger("backfill.calls", 50_000);
  private static final int JOBS = Integer.getInteger("backfill.jobs", 300);
  private static final Duration BURST = Duration.ofSeconds(Integer.getInteger("backfill.burst-seconds", 60));
  /** How long the accepted jobs have to finish once the burst is over. */
  private static final Duration SETTLE = Duration.ofSeconds(Integer.getInteger("backfill.settle-seconds", 600));
  private static final int REFUSED_EVERY = 10;

  private final BackfillCluster cluster = BackfillCluster.startOrFind("burst", 3, CALLS);
  private final AcceptedJobs accepted = new AcceptedJobs();

  private final ScenarioBuilder submitters =
      scenario("a burst of submissions")
          .exec(session -> session.set("refused", session.userId() % REFUSED_EVERY == 0))
          .doIfOrElse(session -> session.getBoolean("refused"))
          .then(
              exec(session -> session.set("body", SmallJobs.refusedBody()))
                  .exec(
                      http("POST /jobs (refused)")
                          .post("/jobs")
                          .body(StringBody("#{body}"))
                          .check(
                              status().is(400),
                              header("Content-Type").transform(type -> type.startsWith("application/problem+json")).is(true),
                              jsonPath("$.title").exists())))
          .orElse(
              exec(session -> session.set("body", SmallJobs.body()))
                  .exec(
                      http("POST /jobs (accepted)")
                          .post("/jobs")
                          .body(StringBody("#{body}"))
                          .check(status().is(202), jsonPath("$.job_id").saveAs("jobId")))
                  .exec(session -> { accepted.add(session.getString("jobId")); return session; }));

  /** After the burst: waits for every accepted job to end, then checks that each is listed so. */
  private final ScenarioBuilder auditor =
      scenario("every accepted job listed with a final status")
          .exec(session -> session.set("deadline", System.nanoTime() + SETTLE.toNanos()))
          .exec(
              asLongAs(session -> !accepted.allFinal() && System.nanoTime() < session.getLong("deadline"))
                  .on(
                      exec(http("GET /jobs (until every accepted job has ended)")
                              .get("/jobs")
                              .check(status().is(200), bodyString().saveAs("jobs")))
                          .exec(session -> { accepted.read(session.getString("jobs")); return session; })
                          .pause(Duration.ofSeconds(2))))
          .exec(
              http("GET /jobs: every accepted job listed, with a final status")
                  .get("/jobs")
                  .check(
                      status().is(200),
                      bodyString().transform(accepted::notListedOrUnfinished).is(0L)))
          .exec(
              session -> {
                System.err.println(accepted.summary());
                return session;
              })
          .exec(PrimaryCap.check(cluster.primaryConnections()));

  {
    setUp(
            submitters
                .injectOpen(rampUsers(JOBS).during(BURST))
                .andThen(auditor.injectOpen(atOnceUsers(1))))
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
