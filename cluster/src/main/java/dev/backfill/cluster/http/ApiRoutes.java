package dev.backfill.cluster.http;

import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** The whole HTTP API: jobs, the governor and readiness, every error as a problem body. */
public final class ApiRoutes extends AllDirectives {

  private final JobRoutes jobs;
  private final GovernorRoutes governor;
  private final HealthRoutes health;

  public ApiRoutes(JobRoutes jobs, GovernorRoutes governor, HealthRoutes health) {
    this.jobs = jobs;
    this.governor = governor;
    this.health = health;
  }

  public Route routes() {
    return handleRejections(
        ApiErrors.rejectionHandler(), () -> concat(jobs.routes(), governor.routes(), health.routes()));
  }
}
