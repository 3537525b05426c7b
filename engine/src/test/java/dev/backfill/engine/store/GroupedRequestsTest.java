package dev.backfill.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The group commit alone, with statements that complete when the test says (pure logic). */
class GroupedRequestsTest {

  /** A write the test completes by hand: which partition, which rows. */
  private record Write(String partition, List<Integer> rows, CompletableFuture<Void> done) {}

  private final List<Write> writes = new ArrayList<>();

  private GroupedRequests<String, Integer, Void> grouped(int maxRows) {
    return grouped(maxRows, 1);
  }

  private GroupedRequests<String, Integer, Void> grouped(int maxRows, int maxInFlight) {
    return GroupedRequests.writes(
        (partition, rows) -> {
          Write write = new Write(partition, List.copyOf(rows), new CompletableFuture<>());
          writes.add(write);
          return write.done();
        },
        maxRows,
        maxInFlight);
  }

  @Test
  void aLoneRowIsWrittenAtOnceAndAcknowledgedOnlyWhenStored() {
    var grouped = grouped(32);
    CompletionStage<Void> stored = grouped.send("a", 1);
    assertEquals(1, writes.size());
    assertEquals(List.of(1), writes.get(0).rows());
    assertFalse(stored.toCompletableFuture().isDone());
    writes.get(0).done().complete(null);
    assertTrue(stored.toCompletableFuture().isDone());
    assertEquals(0, grouped.groupsHeld());
  }

  @Test
  void rowsThatArriveDuringAWriteGoOutTogetherInTheNextUpToTheLimit() {
    var grouped = grouped(3);
    var first = grouped.send("a", 1);
    List<CompletionStage<Void>> later = new ArrayList<>();
    for (int row = 2; row <= 6; row++) {
      later.add(grouped.send("a", row));
    }
    assertEquals(1, writes.size(), "one write of a partition in flight at a time");
    writes.get(0).done().complete(null);
    assertTrue(first.toCompletableFuture().isDone());
    assertEquals(2, writes.size());
    assertEquals(List.of(2, 3, 4), writes.get(1).rows());
    assertFalse(later.get(0).toCompletableFuture().isDone(), "acknowledged before its write completed");
    writes.get(1).done().complete(null);
    assertTrue(later.get(2).toCompletableFuture().isDone());
    assertEquals(List.of(5, 6), writes.get(2).rows());
    assertFalse(later.get(3).toCompletableFuture().isDone());
    writes.get(2).done().complete(null);
    assertTrue(later.get(4).toCompletableFuture().isDone());
    assertEquals(3, writes.size());
  }

  @Test
  void aFailedWriteFailsExactlyItsRowsAndTheNextStillGoesOut() throws Exception {
    var grouped = grouped(32);
    var first = grouped.send("a", 1);
    var second = grouped.send("a", 2);
    writes.get(0).done().completeExceptionally(new IllegalStateException("store down"));
    var failure = assertThrows(ExecutionException.class, () -> first.toCompletableFuture().get());
    assertEquals("store down", failure.getCause().getMessage());
    assertEquals(List.of(2), writes.get(1).rows());
    writes.get(1).done().complete(null);
    second.toCompletableFuture().get();
  }

  @Test
  void partitionsAreWrittenIndependently() {
    var grouped = grouped(32);
    grouped.send("a", 1);
    grouped.send("b", 2);
    grouped.send("a", 3);
    assertEquals(2, writes.size(), "a write of b does not wait for a's");
    assertEquals("b", writes.get(1).partition());
    writes.get(1).done().complete(null);
    writes.get(0).done().complete(null);
    assertEquals(List.of(3), writes.get(2).rows());
    writes.get(2).done().complete(null);
    assertEquals(0, grouped.groupsHeld(), "idle partitions are forgotten");
  }

  @Test
  void upToMaxInFlightWritesOfAPartitionGoOutAtOnce() {
    var grouped = grouped(2, 2);
    for (int row = 1; row <= 7; row++) {
      grouped.send("a", row);
    }
    assertEquals(2, writes.size(), "two writes in flight, the rest waiting");
    assertEquals(List.of(1), writes.get(0).rows());
    assertEquals(List.of(2), writes.get(1).rows());
    writes.get(1).done().complete(null);
    assertEquals(List.of(3, 4), writes.get(2).rows());
    writes.get(0).done().complete(null);
    assertEquals(List.of(5, 6), writes.get(3).rows());
    writes.get(2).done().complete(null);
    assertEquals(List.of(7), writes.get(4).rows());
    writes.get(3).done().complete(null);
    writes.get(4).done().complete(null);
    assertEquals(5, writes.size());
    assertEquals(0, grouped.groupsHeld());
  }

  @Test
  void aWriteThatThrowsEvenAnErrorFailsItsRowsAndFreesThePartition() {
    var grouped =
        GroupedRequests.<String, Integer>writes(
            (partition, rows) -> {
              throw new StackOverflowError("too deep");
            },
            4,
            1);
    var first = grouped.send("a", 1);
    assertTrue(first.toCompletableFuture().isCompletedExceptionally());
    assertEquals(0, grouped.groupsHeld());
    var second = grouped.send("a", 2);
    assertTrue(second.toCompletableFuture().isCompletedExceptionally(), "the next row is written, not left waiting");
  }

  /** Lookups the test answers by hand, in the order they were sent. */
  private final List<CompletableFuture<List<Boolean>>> lookups = new ArrayList<>();

  private GroupedRequests<String, Integer, Boolean> lookup() {
    return new GroupedRequests<>(
        (computation, ids) -> {
          var lookup = new CompletableFuture<List<Boolean>>();
          lookups.add(lookup);
          return lookup;
        },
        8,
        1);
  }

  @Test
  void eachRequestGetsItsOwnAnswerFromTheStatementThatCarriedIt() {
    var present = lookup();
    var first = present.send("c", 1);
    var second = present.send("c", 2);
    var third = present.send("c", 3);
    lookups.get(0).complete(List.of(true));
    lookups.get(1).complete(List.of(false, true));
    assertEquals(true, first.toCompletableFuture().join());
    assertEquals(false, second.toCompletableFuture().join());
    assertEquals(true, third.toCompletableFuture().join());
  }

  @Test
  void aStatementThatAnswersTheWrongNumberFailsItsRequestsRatherThanMisplaceAnAnswer() {
    var present = lookup();
    var first = present.send("c", 1);
    var second = present.send("c", 2);
    var third = present.send("c", 3);
    lookups.get(0).complete(List.of(false));
    lookups.get(1).complete(List.of(true));
    assertEquals(false, first.toCompletableFuture().join());
    assertTrue(second.toCompletableFuture().isCompletedExceptionally(), "one answer for two requests");
    assertTrue(third.toCompletableFuture().isCompletedExceptionally());
    assertEquals(0, present.groupsHeld());
  }
}
