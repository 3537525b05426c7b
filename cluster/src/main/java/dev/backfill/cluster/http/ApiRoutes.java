package dev.backfill.cluster.http;

import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** The whole HTTP API: jobs and the governor, every error as a problem body. */
public final class ApiRoutes extends AllDirectives {

  private final JobRoutes jobs;
  private final GovernorRoutes governor;

  public ApiRoutes(JobRoutes jobs, GovernorRoutes governor) {
    this.jobs = jobs;
    this.governor = governor;
  }

  public Route routes() {
    return handleRejections(ApiErrors.rejectionHandler(), () -> concat(jobs.routes(), governor.routes()));
  }
}
