package dev.backfill.cluster.http;

import dev.backfill.engine.job.JobSupervisor;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.protocol.http.JobAcceptedResponse;
import dev.backfill.protocol.http.JobListResponse;
import dev.backfill.protocol.http.ProcessorListResponse;
import dev.backfill.protocol.http.ProcessorResponse;
import dev.backfill.protocol.job.JobPhase;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 *   PATCH /jobs/{id}    change priority and/or max_calls_per_second while it runs
 *   POST /jobs/{id}/pause|resume|cancel     persisted: a paused job stays paused after restarts
 *   POST /jobs/{id}/retry-failed            re-drive only the calls the ledger holds as failed
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
    return concat(
                pathPrefix(
                    "jobs",
                    () ->
                        concat(
                            pathEndOrSingleSlash(() -> concat(post(this::submit), get(this::list))),
                            path(
                                PathMatchers.segment(),
                                jobId ->
                                    concat(
                                        get(() -> status(jobId)),
                                        patch(() -> entity(Unmarshaller.entityToString(), body -> tune(jobId, body))))),
                            path(
                                PathMatchers.segment().slash(PathMatchers.segment()),
                                (jobId, verb) -> post(() -> control(jobId, verb))))),
                path("processors", () -> get(this::listProcessors)));
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
              jobs.submit(outcome.spec(), outcome.tuning())
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

  private Route tune(String jobId, String text) {
    var parsed = JsonPatchBody.parse(text, field -> null, Set.of("priority", "max_calls_per_second"));
    if (parsed.problem() != null) {
      return complete(ApiJson.problem(parsed.problem()));
    }
    JsonNode body = parsed.body();
    CompletionStage<HttpResponse> response =
        jobs.status(jobId)
            .thenCompose(
                current -> {
                  if (current.phase() == JobPhase.UNKNOWN) {
                    return CompletableFuture.completedFuture(
                        ApiErrors.notFound("no job has the id '" + jobId + "'"));
                  }
                  var patched = TuningPatch.apply(body, current.tuning());
                  if (patched.problem() != null) {
                    return CompletableFuture.completedFuture(ApiJson.problem(patched.problem()));
                  }
                  return jobs.tune(jobId, patched.tuning())
                      .thenApply(
                          status -> ApiJson.response(StatusCodes.OK, JobStatusViews.of(status, Instant.now())));
                })
            .exceptionally(ApiErrors::toResponse);
    return completeWithFuture(response);
  }

  private Route control(String jobId, String verb) {
    JobSupervisor.Action action =
        switch (verb) {
          case "pause" -> JobSupervisor.Action.PAUSE;
          case "resume" -> JobSupervisor.Action.RESUME;
          case "cancel" -> JobSupervisor.Action.CANCEL;
          default -> null;
        };
    if (action == null && !verb.equals("retry-failed")) {
      return complete(ApiErrors.notFound("no action '" + verb + "': use pause, resume, cancel or retry-failed"));
    }
    CompletionStage<HttpResponse> response =
        jobs.status(jobId)
            .thenCompose(
                current ->
                    current.phase() == JobPhase.UNKNOWN
                        ? CompletableFuture.completedFuture(ApiErrors.notFound("no job has the id '" + jobId + "'"))
                        : (action == null ? jobs.retryFailed(jobId) : jobs.control(jobId, action))
                            .thenApply(
                                status -> ApiJson.response(StatusCodes.OK, JobStatusViews.of(status, Instant.now()))))
            .exceptionally(ApiErrors::toResponse);
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
