package dev.backfill.engine.call;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * What happens to one call, without any actor in it: skip it if its result exists, otherwise
 * parse and analyse it off the actor threads, write the result, and record the outcome.
 *
 * <p>A failure of the stores fails the returned stage (transient: the caller retries). A call
 * that cannot be analysed completes normally as FAILED (permanent: retrying will not help).
 */
public final class CallProcessing {

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

  public CompletionStage<CallOutcome> process(
      String jobId,
      CallRow row,
      String processorId,
      int version,
      Map<String, String> parameters,
      int attempt) {
    return results
        .exists(row.id(), processorId, version)
        .thenCompose(
            exists -> {
              if (exists) {
                return finish(jobId, CallOutcome.skipped(row.id(), "result already present"), attempt);
              }
              return CompletableFuture.supplyAsync(
                      () -> analyse(row, processorId, version, parameters), processorExecutor)
                  .thenCompose(
                      analysis ->
                          analysis.failure() != null
                              ? finish(jobId, CallOutcome.failed(row.id(), analysis.failure()), attempt)
                              : results
                                  .write(
                                      row.id(),
                                      processorId,
                                      version,
                                      analysis.resultJson(),
                                      jobId,
                                      analysis.id())
                                  .thenCompose(written -> finish(jobId, CallOutcome.done(row.id()), attempt)));
            });
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

  private Analysis analyse(
      CallRow row, String processorId, int version, Map<String, String> parameters) {
    Processor processor =
        processors
            .find(processorId)
            .filter(p -> p.version() == version)
            .orElse(null);
    if (processor == null) {
      return Analysis.failed(
          "processor " + processorId + " version " + version + " is not on this node");
    }
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
    }
  }

  private Call toCall(CallRow row) {
    return CallRows.toCall(row, json);
  }

}
