package dev.backfill.engine.call;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NodeUnavailableException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.processor.MalformedCallException;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.engine.store.OutcomeLedger;
import dev.backfill.engine.store.ResultStore;
import dev.backfill.engine.store.StoredResult;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.CallRow;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * What happens to one call, without any actor in it: if the result of this computation
 * (processor, version and the processor's canonical parameters) exists, record the call done
 * earlier when this job wrote it and skipped when another did; otherwise parse and analyse it off
 * the actor threads, write the result, and record the outcome.
 *
 * <p>A call that cannot be analysed (malformed, a processor that throws on its data) completes
 * normally as FAILED, recorded in the ledger. A failed stage is either the stores' trouble, which
 * passes by itself ({@link #isStoreFailure}), or an exception that escaped processing this call,
 * which its entity records with {@link #recordFailed}.
 */
public final class CallProcessing implements CallEntity.Work {

  /** Computations kept (one per job and node, see {@link #prepare}); all are forgotten beyond. */
  private static final int COMPUTATIONS_KEPT = 64;

  private final ResultStore results;
  private final OutcomeLedger ledger;
  private final ProcessorRegistry processors;
  private final Executor processorExecutor;
  private final ObjectMapper json;
  private final CallTally tally;
  private final Map<ComputationKey, Prepared> computations = new ConcurrentHashMap<>();

  /** Counting into a tally of its own (tests that do not read it). */
  public CallProcessing(
      ResultStore results,
      OutcomeLedger ledger,
      ProcessorRegistry processors,
      Executor processorExecutor,
      ObjectMapper json) {
    this(results, ledger, processors, processorExecutor, json, new CallTally());
  }

  /** {@code tally}: where the outcomes this node recorded are counted ({@code GET /node}). */
  public CallProcessing(
      ResultStore results,
      OutcomeLedger ledger,
      ProcessorRegistry processors,
      Executor processorExecutor,
      ObjectMapper json,
      CallTally tally) {
    this.results = results;
    this.ledger = ledger;
    this.processors = processors;
    this.processorExecutor = processorExecutor;
    this.json = json;
    this.tally = tally;
  }

  @Override
  public CompletionStage<CallOutcome> process(CallEntity.Process request) {
    String jobId = request.jobId();
    CallRow row = request.call();
    int attempt = request.attempt();
    Prepared prepared;
    try {
      prepared = prepare(request);
    } catch (Unprocessable e) {
      return finish(jobId, CallOutcome.failed(row.id(), e.getMessage()), attempt);
    }
    Computation computation = prepared.computation();
    return results
        .stored(row.id(), computation)
        .thenCompose(
            stored -> {
              CallOutcome found = foundInStore(stored, jobId, row.id());
              if (found != null) {
                return finish(jobId, found, attempt);
              }
              return CompletableFuture.supplyAsync(
                      () -> analyse(row, prepared.processor(), prepared.canonical()), processorExecutor)
                  .thenCompose(
                      analysis ->
                          analysis.failure() != null
                              ? finish(jobId, CallOutcome.failed(row.id(), analysis.failure()), attempt)
                              : results
                                  .write(row.id(), computation, analysis.resultJson(), jobId, analysis.id())
                                  .thenCompose(written -> finish(jobId, CallOutcome.done(row.id()), attempt)));
            });
  }

  @Override
  public CompletionStage<CallOutcome> recordFailed(CallEntity.Request request, String reason) {
    CallOutcome failed = CallOutcome.failed(request.callId(), reason);
    Prepared prepared;
    try {
      prepared = prepare(request);
    } catch (Unprocessable e) {
      // Without its computation no result of it can have been written here.
      return finish(request.jobId(), failed, request.attempt());
    }
    return results
        .stored(request.callId(), prepared.computation())
        .thenCompose(
            stored ->
                finish(
                    request.jobId(),
                    Objects.requireNonNullElse(foundInStore(stored, request.jobId(), request.callId()), failed),
                    request.attempt()));
  }

  /**
   * The outcome of a call whose result of the job's computation exists: done earlier when this job
   * wrote it (it asks again after a lost answer or a resume), skipped when another did; null when
   * there is no result.
   */
  private static CallOutcome foundInStore(StoredResult stored, String jobId, long callId) {
    if (stored.isFrom(jobId)) {
      return CallOutcome.doneEarlier(callId);
    }
    return stored.present() ? CallOutcome.skipped(callId, "result already present") : null;
  }

  /**
   * Whether a failed stage of {@link #process} or {@link #recordFailed} is the stores' trouble:
   * it passes by itself, so the call is asked again, however long that takes. That is a timeout
   * (the driver's, a replica's read or write), too few replicas, no node or no connection to one
   * (or every node failed: their errors are the driver's retries of transient ones), an overloaded
   * or bootstrapping node, a closed session and an executor that takes no more work (this node
   * shuts down).
   *
   * <p>Anything else is the call's own, the same on every attempt: a processor's exception, a
   * store's refusal of this call's statement (an InvalidQueryException: a result too large for a
   * mutation), a result larger than a frame to Cassandra. Retrying those would stall the job
   * forever on one call.
   */
  public static boolean isStoreFailure(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 32; depth++) {
      if (cause instanceof DriverTimeoutException
          || cause instanceof ReadTimeoutException
          || cause instanceof WriteTimeoutException
          || cause instanceof UnavailableException
          || cause instanceof AllNodesFailedException
          || cause instanceof NodeUnavailableException
          || cause instanceof ClosedConnectionException
          || cause instanceof HeartbeatException
          || cause instanceof BusyConnectionException
          || cause instanceof RequestThrottlingException
          || cause instanceof OverloadedException
          || cause instanceof BootstrappingException
          || cause instanceof RejectedExecutionException
          || isClosedSession(cause)) {
        return true;
      }
      cause = cause.getCause() == cause ? null : cause.getCause();
    }
    return false;
  }

  private static boolean isClosedSession(Throwable cause) {
    return cause instanceof IllegalStateException
        && cause.getMessage() != null
        && cause.getMessage().toLowerCase(Locale.ROOT).contains("session is closed");
  }

  /** The processor and the computation of a request: worked out once per job, not per call. */
  private record Prepared(Processor processor, Map<String, String> canonical, Computation computation) {}

  private record ComputationKey(String processor, int version, Map<String, String> parameters) {}

  /** A request whose computation cannot be worked out on this node; the message says why. */
  private static final class Unprocessable extends RuntimeException {
    Unprocessable(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * The request's processor, its canonical parameters and the computation they make, remembered
   * by processor, version and parameters: every call of a job asks for the same.
   *
   * @throws Unprocessable when this node has no such processor, or it refuses the parameters
   */
  private Prepared prepare(CallEntity.Request request) {
    Map<String, String> parameters = request.parameters() == null ? Map.of() : request.parameters();
    ComputationKey key = new ComputationKey(request.processor(), request.version(), parameters);
    Prepared known = computations.get(key);
    if (known != null) {
      return known;
    }
    // Without the processor its canonical parameters, hence the result's key, are unknown.
    Processor processor =
        processors
            .find(request.processor())
            .filter(p -> p.version() == request.version())
            .orElseThrow(
                () ->
                    new Unprocessable(
                        "processor " + request.processor() + " version " + request.version() + " is not on this node"));
    Map<String, String> canonical;
    try {
      canonical = processor.canonicalParameters(parameters);
    } catch (RuntimeException e) {
      throw new Unprocessable("processor error: " + e);
    }
    Prepared fresh =
        new Prepared(processor, canonical, Computation.ofCanonical(processor.id(), processor.version(), canonical));
    if (computations.size() >= COMPUTATIONS_KEPT) {
      computations.clear();
    }
    computations.put(new ComputationKey(key.processor(), key.version(), new HashMap<>(parameters)), fresh);
    return fresh;
  }

  private CompletionStage<CallOutcome> finish(String jobId, CallOutcome outcome, int attempt) {
    return ledger
        .record(jobId, outcome.callId(), outcome.status(), outcome.reason(), attempt)
        .thenApply(
            recorded -> {
              tally.recorded(outcome);
              return outcome;
            });
  }

  /**
   * The result as JSON, or why the call cannot be analysed. A result has an {@code id}, time-based
   * and made when it was computed, so the result audit can tell one analysis from another (and
   * when each ran) apart from how often its result was written.
   */
  private record Analysis(String resultJson, String failure, UUID id) {

    static Analysis of(String resultJson) {
      return new Analysis(resultJson, null, Uuids.timeBased());
    }

    static Analysis failed(String failure) {
      return new Analysis(null, failure, null);
    }
  }

  /** {@code parameters}: the processor's canonical ones, the same that key the result. */
  private Analysis analyse(CallRow row, Processor processor, Map<String, String> parameters) {
    try {
      Object result = processor.process(toCall(row), parameters);
      return Analysis.of(json.writeValueAsString(result));
    } catch (MalformedCallException e) {
      return Analysis.failed("malformed call: " + e.getMessage());
    } catch (JsonProcessingException e) {
      return Analysis.failed("result not serializable: " + e.getOriginalMessage());
    } catch (RuntimeException e) {
      // A processor bug is permanent for this call too; the job goes on with the others.
      return Analysis.failed("processor error: " + e);
    } catch (StackOverflowError e) {
      // A recursion (a regex, a parser) too deep for this call's data: the same on every attempt,
      // and the thread is usable again once the stack has unwound.
      return Analysis.failed("processor error: stack overflow on this call's data");
    }
  }

  private Call toCall(CallRow row) {
    return CallRows.toCall(row, json);
  }

}
