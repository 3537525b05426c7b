package dev.backfill.engine.store;

import java.util.concurrent.CompletionStage;

/**
 * Where processor results go: one row per (call, processor, version). Writing the same key again
 * replaces the row, so a call processed twice after a crash still has exactly one result.
 */
public interface ResultStore {

  CompletionStage<Boolean> exists(long callId, String processor, int version);

  CompletionStage<Void> write(long callId, String processor, int version, String resultJson, String jobId);
}
