package dev.backfill.engine.store;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Where processor results go: one row per (call, processor, version). Writing the same key again
 * replaces the row, so a call processed twice after a crash still has exactly one result (which is
 * also why only the audit, {@link ResultWriteAudit}, can show that it was processed twice).
 */
public interface ResultStore {

  CompletionStage<Boolean> exists(long callId, String processor, int version);

  /**
   * @param analysisId a time-based uuid made when the result was computed: when the call was
   *     analysed, and which analysis this write carries (the audit records it)
   */
  CompletionStage<Void> write(
      long callId, String processor, int version, String resultJson, String jobId, UUID analysisId);
}
