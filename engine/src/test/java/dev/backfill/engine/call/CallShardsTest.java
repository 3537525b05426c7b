package dev.backfill.engine.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where calls and block readers live: a block's reader must share the shard of its calls. */
class CallShardsTest {

  private final CallShards shards = new CallShards();

  @Test
  void aBlocksReaderLivesInTheShardOfEveryCallOfTheBlock() {
    for (long block : new long[] {0, 1, 7, 99, 100, 12_345}) {
      String readerShard = shards.shardId(CallShards.readerId(block, "job-a:with-colons-0"));
      for (long id = CallShards.firstIdOf(block); id <= CallShards.lastIdOf(block); id++) {
        assertEquals(readerShard, shards.shardId(CallEntity.entityId(id)), "call " + id + " of block " + block);
      }
    }
  }

  @Test
  void blocksFollowEachOtherWithoutGapOrOverlap() {
    for (long block = 0; block < 50; block++) {
      assertEquals(CallShards.lastIdOf(block) + 1, CallShards.firstIdOf(block + 1));
      assertEquals(block, CallShards.blockOf(CallShards.firstIdOf(block)));
      assertEquals(block, CallShards.blockOf(CallShards.lastIdOf(block)));
    }
  }

  @Test
  void consecutiveBlocksSpreadOverEveryShard() {
    Set<String> used = new HashSet<>();
    for (long block = 500; block < 500 + CallShards.NUMBER_OF_SHARDS; block++) {
      used.add(shards.shardId(CallShards.readerId(block, "j")));
    }
    assertEquals(CallShards.NUMBER_OF_SHARDS, used.size());
    assertNotEquals(
        shards.shardId(CallEntity.entityId(CallShards.lastIdOf(3))),
        shards.shardId(CallEntity.entityId(CallShards.firstIdOf(4))));
  }

  @Test
  void anIdOfNoCallStillHasAShard() {
    int shard = Integer.parseInt(shards.shardId("not-a-call"));
    assertTrue(shard >= 0 && shard < CallShards.NUMBER_OF_SHARDS);
  }
}
