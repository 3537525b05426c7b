package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The call ids a query selects (its first column), over every page of its answer. */
final class CallIdPages {

  private CallIdPages() {}

  /** Adds the ids of {@code page} and of the pages after it to {@code ids}. */
  static <C extends Collection<Long>> CompletionStage<C> collect(AsyncResultSet page, C ids) {
    for (Row row : page.currentPage()) {
      ids.add(row.getLong(0));
    }
    if (!page.hasMorePages()) {
      return CompletableFuture.completedFuture(ids);
    }
    return page.fetchNextPage().thenCompose(next -> collect(next, ids));
  }
}
