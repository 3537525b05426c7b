package dev.backfill.engine.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Requests that can share one statement, sent together: at most {@code maxInFlight} statements per
 * group are in flight, and the requests that arrive meanwhile go out together as the next ones,
 * up to {@code maxRequests} each (a group commit, without a timer). Alone, a request is sent at
 * once, with no added latency; under load, one statement carries many. For the ledger a group is
 * a partition, and its rows go out as one unlogged batch, which Cassandra applies as one mutation;
 * for the existence read a group is a computation, and its calls are looked up in one query. More
 * than one statement in flight keeps a slow store from queueing a job's calls in flight (256 by
 * default) behind one another: at one statement at a time and 2 s each, the last of them would
 * wait past the 15 s a job waits for a call's answer.
 *
 * <p>Each request's stage completes when the statement that carried it has, with its own answer: a
 * write is acknowledged only once stored, and a failed statement fails exactly the requests it
 * carried (their callers retry them, as they would a statement of their own).
 *
 * <p>Thread-safe: requests come from many threads, and statements complete on the store's own
 * threads.
 *
 * @param <K> the group a request belongs to (a partition, a computation)
 * @param <R> a request
 * @param <V> a request's answer
 */
public final class GroupedRequests<K, R, V> {

  private record Waiting<R, V>(R request, CompletableFuture<V> answered) {}

  /** A group's requests waiting to be sent, and how many statements of it are in flight. */
  private static final class Group<R, V> {
    final List<Waiting<R, V>> waiting = new ArrayList<>();
    int sending;
  }

  private final BiFunction<K, List<R>, CompletionStage<List<V>>> send;
  private final int maxRequests;
  private final int maxInFlight;
  private final Map<K, Group<R, V>> groups = new ConcurrentHashMap<>();

  /**
   * Writes, each acknowledged with nothing once the statement that carried it is done.
   *
   * @param write writes rows of one partition together (one row or several)
   */
  public static <K, R> GroupedRequests<K, R, Void> writes(
      BiFunction<K, List<R>, CompletionStage<Void>> write, int maxRows, int maxInFlight) {
    return new GroupedRequests<>(
        (group, rows) -> write.apply(group, rows).thenApply(done -> Collections.<Void>nCopies(rows.size(), null)),
        maxRows,
        maxInFlight);
  }

  /**
   * @param send sends requests of one group together, and answers each, in the order given
   * @param maxRequests the most requests one statement carries
   * @param maxInFlight the most statements of one group in flight at once
   */
  public GroupedRequests(
      BiFunction<K, List<R>, CompletionStage<List<V>>> send, int maxRequests, int maxInFlight) {
    if (maxRequests < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException(
          "maxRequests and maxInFlight must be at least 1, not " + maxRequests + " and " + maxInFlight);
    }
    this.send = send;
    this.maxRequests = maxRequests;
    this.maxInFlight = maxInFlight;
  }

  /** Sends {@code request} with the requests that wait in the same group; its answer. */
  public CompletionStage<V> send(K groupKey, R request) {
    CompletableFuture<V> answered = new CompletableFuture<>();
    Group<R, V> group = groups.computeIfAbsent(groupKey, key -> new Group<>());
    List<Waiting<R, V>> batch = null;
    synchronized (group) {
      group.waiting.add(new Waiting<>(request, answered));
      if (group.sending < maxInFlight) {
        group.sending++;
        batch = take(group);
      }
    }
    if (batch != null) {
      send(groupKey, group, batch);
    }
    return answered;
  }

  /** Groups with requests waiting or a statement in flight: for tests, and to see that none is kept. */
  int groupsHeld() {
    return groups.size();
  }

  private void send(K groupKey, Group<R, V> group, List<Waiting<R, V>> batch) {
    List<R> requests = new ArrayList<>(batch.size());
    batch.forEach(waiting -> requests.add(waiting.request()));
    CompletionStage<List<V>> sent;
    try {
      sent = send.apply(groupKey, requests);
      if (sent == null) {
        sent = CompletableFuture.failedFuture(new IllegalStateException("no statement was sent"));
      }
    } catch (Throwable e) {
      // Whatever it is, the requests fail and the group goes on: a slot left taken would hold
      // every later request of this group on this node for good.
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((answers, failure) -> completed(groupKey, group, batch, answers, failure));
  }

  /**
   * Sends the next requests of the group, or frees its slot, and then answers the requests the
   * statement carried: the next statement does not wait for their callers' continuations, and a
   * caller that hears its answer finds the group's slot already free.
   */
  private void completed(
      K groupKey, Group<R, V> group, List<Waiting<R, V>> batch, List<V> answers, Throwable failure) {
    List<Waiting<R, V>> next;
    synchronized (group) {
      if (group.waiting.isEmpty()) {
        group.sending--;
        // Forgotten once idle, so a job's finished groups are not kept. A request that already
        // holds this group object still gets sent through it.
        if (group.sending == 0) {
          groups.remove(groupKey, group);
        }
        next = null;
      } else {
        next = take(group);
      }
    }
    if (next != null) {
      send(groupKey, group, next);
    }
    Throwable wrong =
        failure == null && (answers == null || answers.size() != batch.size())
            ? new IllegalStateException(
                (answers == null ? "no" : String.valueOf(answers.size())) + " answers for " + batch.size() + " requests")
            : failure;
    for (int index = 0; index < batch.size(); index++) {
      if (wrong == null) {
        batch.get(index).answered().complete(answers.get(index));
      } else {
        batch.get(index).answered().completeExceptionally(wrong);
      }
    }
  }

  private List<Waiting<R, V>> take(Group<R, V> group) {
    int count = Math.min(maxRequests, group.waiting.size());
    List<Waiting<R, V>> batch = new ArrayList<>(group.waiting.subList(0, count));
    group.waiting.subList(0, count).clear();
    return batch;
  }
}
