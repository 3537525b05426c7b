package dev.backfill.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts each point's label beside it where it covers no other label and no point: runs of the same
 * design in both placements often land close together, and overlapping names can't be read.
 */
final class LabelPlacer {

  /** Average advance of a 12 px sans-serif character; SVG can't measure text before a browser renders it. */
  private static final double CHARACTER_WIDTH = 6.6;
  private static final double ASCENT = 11;
  private static final double DESCENT = 3;
  private static final double GAP = 9;

  record Box(double left, double top, double right, double bottom) {
    boolean overlaps(Box other) {
      return left < other.right && other.left < right && top < other.bottom && other.top < bottom;
    }

    boolean inside(Box outer) {
      return left >= outer.left && right <= outer.right && top >= outer.top && bottom <= outer.bottom;
    }
  }

  /** Where to write a label: {@code anchorEnd} means the text ends at x rather than starts there. */
  record Placement(double x, double y, boolean anchorEnd) {}

  private final Box bounds;
  private final List<Box> taken = new ArrayList<>();

  /** @param points every point as {x, y}, reserved before any label is placed */
  LabelPlacer(Box bounds, List<double[]> points, double pointRadius) {
    this.bounds = bounds;
    for (double[] point : points) {
      taken.add(new Box(point[0] - pointRadius, point[1] - pointRadius, point[0] + pointRadius, point[1] + pointRadius));
    }
  }

  /** The first free spot among above-right, below-right, above-left, below-left; above-right if none is free. */
  Placement place(double px, double py, String text) {
    double width = text.length() * CHARACTER_WIDTH;
    List<Placement> candidates = List.of(
        new Placement(px + GAP, py - GAP + 1, false),
        new Placement(px + GAP, py + GAP + ASCENT - 1, false),
        new Placement(px - GAP, py - GAP + 1, true),
        new Placement(px - GAP, py + GAP + ASCENT - 1, true));
    Placement chosen = candidates.stream()
        .filter(c -> box(c, width).inside(bounds) && taken.stream().noneMatch(box(c, width)::overlaps))
        .findFirst()
        .orElseGet(() -> candidates.stream().filter(c -> box(c, width).inside(bounds)).findFirst()
            .orElse(candidates.get(0)));
    taken.add(box(chosen, width));
    return chosen;
  }

  private static Box box(Placement placement, double width) {
    double left = placement.anchorEnd() ? placement.x() - width : placement.x();
    return new Box(left, placement.y() - ASCENT, left + width, placement.y() + DESCENT);
  }
}
