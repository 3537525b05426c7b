package dev.backfill.cluster.http;

import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** The whole HTTP API: jobs, the governor, this node and readiness, every error as a problem body. */
public final class ApiRoutes extends AllDirectives {

  private final JobRoutes jobs;
  private final GovernorRoutes governor;
  private final NodeRoutes node;
  private final HealthRoutes health;

  public ApiRoutes(JobRoutes jobs, GovernorRoutes governor, NodeRoutes node, HealthRoutes health) {
    this.jobs = jobs;
    this.governor = governor;
    this.node = node;
    this.health = health;
  }

  public Route routes() {
    return handleRejections(
        ApiErrors.rejectionHandler(), () -> concat(jobs.routes(), governor.routes(), node.routes(), health.routes()));
  }
}
