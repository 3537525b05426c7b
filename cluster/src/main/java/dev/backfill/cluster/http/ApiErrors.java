package dev.backfill.cluster.http;

import dev.backfill.protocol.http.Problem;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps every failure the API can meet to a status and a problem body, in one place. */
public final class ApiErrors {

  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  /** A failed ask: refused by the actor (409), not answered in time (503), or a bug (500). */
  public static HttpResponse toResponse(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StatusReply.ErrorMessage refused) {
      return ApiJson.problem(Problem.of(409, "Conflict", refused.getMessage()));
    }
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      return ApiJson.problem(
          Problem.of(
              503,
              "Service Unavailable",
              "the cluster did not answer in time (is it still starting, or are its stores down?); retry"));
    }
    log.error("request failed", cause);
    return ApiJson.problem(Problem.of(500, "Internal Server Error", String.valueOf(cause.getMessage())));
  }

  /**
   * A failed ask for a change whose values the actor checked: its refusal is about the request
   * (the governor refusing a value out of range that got past the API's own checks), so a 400
   * like theirs; any other failure as {@link #toResponse}.
   */
  public static HttpResponse toInvalidResponse(Throwable failure) {
    if (unwrap(failure) instanceof StatusReply.ErrorMessage refused) {
      return ApiJson.problem(Problem.of(400, "Invalid request", refused.getMessage()));
    }
    return toResponse(failure);
  }

  public static HttpResponse notFound(String detail) {
    return ApiJson.problem(Problem.of(404, "Not Found", detail));
  }

  /** Pekko's own rejections (no route, wrong method, ...) as problem bodies too. */
  public static RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(
            response -> {
              if (response.entity() instanceof HttpEntity.Strict strict
                  && !strict.getContentType().equals(ApiJson.PROBLEM_JSON)) {
                return ApiJson.problem(
                    Problem.of(
                        response.status().intValue(),
                        response.status().reason(),
                        strict.getData().utf8String()));
              }
              return response;
            });
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
