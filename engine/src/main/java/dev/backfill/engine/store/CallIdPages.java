package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** The rows a query selects, or their call ids (the first column), over every page of its answer. */
final class CallIdPages {

  private CallIdPages() {}

  /** Hands each row of {@code page} and of the pages after it to {@code each}, in order. */
  static CompletionStage<Void> forEachRow(AsyncResultSet page, Consumer<Row> each) {
    for (Row row : page.currentPage()) {
      each.accept(row);
    }
    if (!page.hasMorePages()) {
      return CompletableFuture.completedFuture(null);
    }
    return page.fetchNextPage().thenCompose(next -> forEachRow(next, each));
  }

  /** Adds the ids of {@code page} and of the pages after it to {@code ids}. */
  static <C extends Collection<Long>> CompletionStage<C> collect(AsyncResultSet page, C ids) {
    return forEachRow(page, row -> ids.add(row.getLong(0))).thenApply(done -> ids);
  }
}
