package dev.backfill.engine.store;

import dev.backfill.engine.processor.Computation;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Where processor results go: one row per call and {@link Computation} (processor, version and
 * the hash of the canonical parameters). Writing the same key again replaces the row, so a call
 * processed twice after a crash still has exactly one result (which is also why only the audit,
 * {@link ResultWriteAudit}, can show that it was processed twice); a job with other parameters
 * writes a row of its own.
 */
public interface ResultStore {

  /**
   * Whether this call has a result of exactly this computation, parameters included, and which
   * job wrote it.
   */
  CompletionStage<StoredResult> stored(long callId, Computation computation);

  /**
   * @param analysisId a time-based uuid made when the result was computed: when the call was
   *     analysed, and which analysis this write carries (the audit records it)
   */
  CompletionStage<Void> write(
      long callId, Computation computation, String resultJson, String jobId, UUID analysisId);
}
