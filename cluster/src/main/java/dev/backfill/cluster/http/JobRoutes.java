package dev.backfill.cluster.http;

import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.protocol.http.JobAcceptedResponse;
import dev.backfill.protocol.http.JobListResponse;
import dev.backfill.protocol.http.ProcessorListResponse;
import dev.backfill.protocol.http.ProcessorResponse;
import dev.backfill.protocol.job.JobPhase;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The jobs API:
 *
 * <pre>
 *   POST /jobs          submit a job              202 + job id, 400 with a problem body
 *   GET  /jobs          every job, newest first
 *   GET  /jobs/{id}     one job: counts, rate, ETA   404 when unknown
 *   GET  /processors    what jobs can run
 * </pre>
 */
public final class JobRoutes extends AllDirectives {

  private final Jobs jobs;
  private final ProcessorRegistry processors;
  private final JobRequestValidator validator;

  public JobRoutes(Jobs jobs, ProcessorRegistry processors) {
    this.jobs = jobs;
    this.processors = processors;
    this.validator = new JobRequestValidator(processors);
  }

  public Route routes() {
    return handleRejections(
        ApiErrors.rejectionHandler(),
        () ->
            concat(
                pathPrefix(
                    "jobs",
                    () ->
                        concat(
                            pathEndOrSingleSlash(() -> concat(post(this::submit), get(this::list))),
                            path(PathMatchers.segment(), jobId -> get(() -> status(jobId))))),
                path("processors", () -> get(this::listProcessors))));
  }

  private Route submit() {
    return entity(
        Unmarshaller.entityToString(),
        body -> {
          var outcome = validator.validate(body);
          if (outcome.problem() != null) {
            return complete(ApiJson.problem(outcome.problem()));
          }
          CompletionStage<HttpResponse> response =
              jobs.submit(outcome.spec())
                  .handle(
                      (jobId, failure) ->
                          failure != null
                              ? ApiErrors.toResponse(failure)
                              : ApiJson.response(
                                      StatusCodes.ACCEPTED,
                                      new JobAcceptedResponse(jobId, "/jobs/" + jobId))
                                  .addHeader(Location.create("/jobs/" + jobId)));
          return completeWithFuture(response);
        });
  }

  private Route status(String jobId) {
    CompletionStage<HttpResponse> response =
        jobs.status(jobId)
            .handle(
                (status, failure) -> {
                  if (failure != null) {
                    return ApiErrors.toResponse(failure);
                  }
                  if (status.phase() == JobPhase.UNKNOWN) {
                    return ApiErrors.notFound("no job has the id '" + jobId + "'");
                  }
                  return ApiJson.response(StatusCodes.OK, JobStatusViews.of(status, Instant.now()));
                });
    return completeWithFuture(response);
  }

  private Route list() {
    CompletionStage<HttpResponse> response =
        jobs.list()
            .handle(
                (statuses, failure) -> {
                  if (failure != null) {
                    return ApiErrors.toResponse(failure);
                  }
                  Instant now = Instant.now();
                  return ApiJson.response(
                      StatusCodes.OK,
                      new JobListResponse(
                          statuses.stream().map(status -> JobStatusViews.of(status, now)).toList()));
                });
    return completeWithFuture(response);
  }

  private Route listProcessors() {
    return complete(
        ApiJson.response(
            StatusCodes.OK,
            new ProcessorListResponse(
                processors.all().stream()
                    .map(p -> new ProcessorResponse(p.id(), p.version(), p.description()))
                    .toList())));
  }
}
