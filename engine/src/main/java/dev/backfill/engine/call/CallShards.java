package dev.backfill.engine.call;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Where a call lives in the cluster: calls are grouped in blocks of {@link #BLOCK_IDS} consecutive
 * ids, and a block's calls share one shard. The reader of a block's pages for a job (an entity of
 * the same type, {@link #readerId}) maps to that same shard, so it runs on the node of the call
 * entities it asks, by construction: one shard lives on one node. A page's transcripts then go from
 * the primary to that node and no further; only commands and counts cross between nodes.
 *
 * <p>Consecutive blocks go to consecutive shards, so a job's blocks spread evenly over the nodes.
 *
 * <p>Both numbers are constants, not settings: every node must map a call to the same shard, or a
 * call would have two entities (the single writer of its results twice over). Changing either
 * means stopping the whole cluster.
 */
public final class CallShards extends ShardingMessageExtractor<ShardingEnvelope<CallEntity.Command>, CallEntity.Command> {

  /**
   * Shards: ten per node for clusters of up to ten nodes, as Pekko advises. With its default of
   * 1,000, a job's first minute on three nodes went to sharding itself: the shard coordinator
   * writes its whole state (every shard's home) to a majority of nodes on every placement, and the
   * passivation strategy rebuilds every shard's frequency sketch whenever a shard starts, both once
   * per shard as a job first touches them (`bench raw`, 3 nodes with the governor out of the way,
   * 20 s of warm-up, 2026-11-30: 34-57 calls/s at 34-45 CPU ms per call with 1,000 shards, 98 at
   * 19.8 with 100).
   */
  public static final int NUMBER_OF_SHARDS = 100;

  /**
   * Ids per block: a few pages of calls (a page is at most backfill.primary.page-size, 500), so a
   * block's reader keeps the node busy for a while per command, and a job has several blocks in
   * flight on different nodes at once.
   */
  public static final long BLOCK_IDS = 1_000;

  private static final String READER_PREFIX = "block:";

  /** The block of a call id. */
  public static long blockOf(long callId) {
    return Math.floorDiv(callId, BLOCK_IDS);
  }

  /** The first id of a block. */
  public static long firstIdOf(long block) {
    return block * BLOCK_IDS;
  }

  /** The last id of a block. */
  public static long lastIdOf(long block) {
    return block * BLOCK_IDS + BLOCK_IDS - 1;
  }

  /** The entity that reads a block's pages for a job: in the shard of the block's calls. */
  public static String readerId(long block, String jobId) {
    return READER_PREFIX + block + ":" + jobId;
  }

  public static boolean isReaderId(String entityId) {
    return entityId.startsWith(READER_PREFIX);
  }

  /** The shard of a block: consecutive blocks on consecutive shards. */
  public static String shardOfBlock(long block) {
    return Long.toString(Math.floorMod(block, NUMBER_OF_SHARDS));
  }

  @Override
  public String entityId(ShardingEnvelope<CallEntity.Command> envelope) {
    return envelope.entityId();
  }

  @Override
  public CallEntity.Command unwrapMessage(ShardingEnvelope<CallEntity.Command> envelope) {
    return envelope.message();
  }

  @Override
  public String shardId(String entityId) {
    try {
      if (isReaderId(entityId)) {
        int end = entityId.indexOf(':', READER_PREFIX.length());
        return shardOfBlock(Long.parseLong(entityId.substring(READER_PREFIX.length(), end)));
      }
      return shardOfBlock(blockOf(Long.parseLong(entityId)));
    } catch (RuntimeException notOurs) {
      // No such entity is ever asked for; if one were, it still needs some shard.
      return Long.toString(Math.floorMod(entityId.hashCode(), NUMBER_OF_SHARDS));
    }
  }
}
