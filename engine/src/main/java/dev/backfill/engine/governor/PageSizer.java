package dev.backfill.engine.governor;

/**
 * How many rows a page query may read so that it lasts about a target time on the primary.
 *
 * <p>A page query is a burst: while it holds the primary's core, a live query that arrives waits
 * behind it. gh-ost's most requested feature, a chunk size that targets a time instead of a row
 * count, is the same idea: the cost of a row differs per table and per machine (here, detoasting
 * a 16 KB transcript), so the rows per page follow the measured cost per row.
 *
 * <p>Not thread-safe; plain Java. The governor sizes pages with one; each node's call source sizes
 * the bursts it fetches a page in with another, under a lock.
 */
public final class PageSizer {

  /** Weight of the newest measurement in the moving average of milliseconds per row. */
  private static final double SMOOTHING = 0.2;

  private final double targetMillis;
  private final int minRows;
  private final int maxRows;
  /** Moving average of milliseconds per row; NaN until the first page is measured. */
  private double millisPerRow = Double.NaN;

  public PageSizer(double targetMillis, int minRows, int maxRows) {
    if (!(targetMillis > 0) || Double.isInfinite(targetMillis)) {
      throw new IllegalArgumentException("target page millis must be positive and finite, was " + targetMillis);
    }
    if (minRows < 1 || maxRows < minRows) {
      throw new IllegalArgumentException("page rows must satisfy 1 <= min <= max, were " + minRows + ", " + maxRows);
    }
    this.targetMillis = targetMillis;
    this.minRows = minRows;
    this.maxRows = maxRows;
  }

  /** A page of {@code rows} rows took {@code millis} of query time. Empty pages teach nothing. */
  public void observe(int rows, double millis) {
    if (rows <= 0 || !(millis >= 0) || Double.isInfinite(millis)) {
      return;
    }
    double perRow = millis / rows;
    millisPerRow = Double.isNaN(millisPerRow) ? perRow : millisPerRow + SMOOTHING * (perRow - millisPerRow);
  }

  /**
   * Rows for the next page, at most {@code wanted}. Before any measurement, the minimum: the first
   * page is a cautious probe of the cost.
   */
  public int rows(int wanted) {
    int rows;
    if (Double.isNaN(millisPerRow)) {
      rows = minRows;
    } else if (millisPerRow <= 0) {
      rows = maxRows;
    } else {
      rows = (int) Math.max(minRows, Math.min(maxRows, Math.floor(targetMillis / millisPerRow)));
    }
    return Math.max(1, Math.min(rows, wanted));
  }

  /** The current estimate, NaN before the first page; for the governor's view. */
  public double millisPerRow() {
    return millisPerRow;
  }

  public double targetMillis() {
    return targetMillis;
  }
}
