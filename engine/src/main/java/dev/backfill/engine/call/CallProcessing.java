package dev.backfill.engine.call;

import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.processor.MalformedCallException;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.engine.store.OutcomeLedger;
import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.engine.store.ResultStore;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.CallRow;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * What happens to one call, without any actor in it: skip it if the result of this computation
 * (processor, version and the processor's canonical parameters) exists, otherwise parse and
 * analyse it off the actor threads, write the result, and record the outcome.
 *
 * <p>A failure of the stores fails the returned stage (transient: the caller retries). A call
 * that cannot be analysed completes normally as FAILED (permanent: retrying will not help). Any
 * other failure of the stage is an exception that escaped the processing of this call: {@link
 * #isStoreFailure} tells the two kinds of failed stage apart.
 */
public final class CallProcessing implements CallEntity.Work {

  private final ResultStore results;
  private final OutcomeLedger ledger;
  private final ProcessorRegistry processors;
  private final Executor processorExecutor;
  private final ObjectMapper json;

  public CallProcessing(
      ResultStore results,
      OutcomeLedger ledger,
      ProcessorRegistry processors,
      Executor processorExecutor,
      ObjectMapper json) {
    this.results = results;
    this.ledger = ledger;
    this.processors = processors;
    this.processorExecutor = processorExecutor;
    this.json = json;
  }

  @Override
  public CompletionStage<CallOutcome> process(
      String jobId,
      CallRow row,
      String processorId,
      int version,
      Map<String, String> parameters,
      int attempt) {
    Processor processor =
        processors.find(processorId).filter(p -> p.version() == version).orElse(null);
    if (processor == null) {
      // Without the processor its canonical parameters, hence the result's key, are unknown.
      return finish(
          jobId,
          CallOutcome.failed(
              row.id(), "processor " + processorId + " version " + version + " is not on this node"),
          attempt);
    }
    Map<String, String> canonical;
    try {
      canonical = processor.canonicalParameters(parameters);
    } catch (RuntimeException e) {
      return finish(jobId, CallOutcome.failed(row.id(), "processor error: " + e), attempt);
    }
    Computation computation = Computation.ofCanonical(processorId, version, canonical);
    return results
        .exists(row.id(), computation)
        .thenCompose(
            exists -> {
              if (exists) {
                return finish(jobId, CallOutcome.skipped(row.id(), "result already present"), attempt);
              }
              return CompletableFuture.supplyAsync(
                      () -> analyse(row, processor, canonical), processorExecutor)
                  .thenCompose(
                      analysis ->
                          analysis.failure() != null
                              ? finish(jobId, CallOutcome.failed(row.id(), analysis.failure()), attempt)
                              : results
                                  .write(row.id(), computation, analysis.resultJson(), jobId, analysis.id())
                                  .thenCompose(written -> finish(jobId, CallOutcome.done(row.id()), attempt)));
            });
  }

  /**
   * Whether a failed stage of {@link #process} is the stores' (transient: it passes by itself) or
   * the call's own (an exception that escaped processing this call: its data hits a bug or a limit
   * of the engine, and processing it again fails the same way).
   *
   * <p>The stores' are everything the Cassandra driver reports: timeouts, unavailable replicas, no
   * node, a lost connection, and also its refusals, which come from the schema or the cluster (a
   * missing table, a bad keyspace) and would fail every call alike, so they must stall the job, not
   * fail its calls one by one. And any other timeout, and what a node that shuts down answers (a
   * closed session, a stopped executor, a cancelled stage).
   */
  public static boolean isStoreFailure(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 32; depth++) {
      if (cause instanceof DriverException
          || cause instanceof TimeoutException
          || cause instanceof IllegalStateException
          || cause instanceof RejectedExecutionException
          || cause instanceof CancellationException) {
        return true;
      }
      cause = cause.getCause() == cause ? null : cause.getCause();
    }
    return false;
  }

  private CompletionStage<CallOutcome> finish(String jobId, CallOutcome outcome, int attempt) {
    return ledger
        .record(jobId, outcome.callId(), outcome.status(), outcome.reason(), attempt)
        .thenApply(recorded -> outcome);
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
