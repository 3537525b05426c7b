package dev.backfill.bench.report;

import dev.backfill.bench.incident.RunFigures;
import java.math.BigDecimal;
import java.util.List;

/**
 * The runs with a backfill as points: backfill speed across, harm to the live path up. The good
 * corner is bottom right; the dashed lines are the p99 ratios each placement must stay under.
 */
final class IncidentChart {

  static final String NAIVE_COLOUR = "#d95f02";
  static final String ENGINE_COLOUR = "#1b9e77";

  private static final int WIDTH = 900;
  private static final int HEIGHT = 600;
  private static final double LEFT = 80;
  private static final double RIGHT = 690;
  private static final double TOP = 60;
  private static final double BOTTOM = 520;
  private static final double LEGEND_X = 715;
  private static final double POINT_RADIUS = 6;
  private static final double PINNED_TARGET = 1.25;
  private static final double SHARED_TARGET = 2.0;
  private static final String AXIS_STYLE = "stroke=\"#333\" stroke-width=\"1\"";
  private static final String GRID_STYLE = "stroke=\"#e4e4e4\" stroke-width=\"1\"";
  private static final String TARGET_STYLE = "stroke=\"#888\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"";

  private IncidentChart() {}

  static String svg(String date, List<RunFigures> runs) {
    List<RunFigures> plotted = runs.stream()
        .filter(RunKind::hasBackfill)
        .filter(r -> Double.isFinite(r.liveP99Ratio()))
        .toList();
    LinearAxis x = LinearAxis.covering(plotted.stream().mapToDouble(RunFigures::callsPerSecond).max().orElse(0));
    LogAxis y = LogAxis.covering(plotted.stream().mapToDouble(RunFigures::liveP99Ratio).max().orElse(0));

    Svg svg = new Svg(WIDTH, HEIGHT);
    svg.text(WIDTH / 2.0, 30, 18, "text-anchor=\"middle\" font-weight=\"bold\"",
        "Incident benchmark " + date + ": live p99 against backfill speed");
    drawXAxis(svg, x);
    drawYAxis(svg, y);
    drawTarget(svg, y, PINNED_TARGET, "pinned target");
    drawTarget(svg, y, SHARED_TARGET, "shared target");
    List<double[]> points = plotted.stream()
        .map(r -> new double[] {xPixel(x, r.callsPerSecond()), yPixel(y, r.liveP99Ratio())})
        .toList();
    LabelPlacer labels = new LabelPlacer(new LabelPlacer.Box(LEFT, TOP, RIGHT, BOTTOM), points, POINT_RADIUS);
    for (int i = 0; i < plotted.size(); i++) {
      drawPoint(svg, points.get(i), plotted.get(i), labels);
    }
    drawLegend(svg);
    return svg.document();
  }

  private static void drawXAxis(Svg svg, LinearAxis x) {
    for (double tick : x.ticks()) {
      double px = xPixel(x, tick);
      svg.line(px, TOP, px, BOTTOM, GRID_STYLE)
          .line(px, BOTTOM, px, BOTTOM + 5, AXIS_STYLE)
          .text(px, BOTTOM + 20, 12, "text-anchor=\"middle\"", label(tick));
    }
    svg.line(LEFT, BOTTOM, RIGHT, BOTTOM, AXIS_STYLE)
        .text((LEFT + RIGHT) / 2, BOTTOM + 50, 14, "text-anchor=\"middle\"", "backfill calls/s (higher is better)");
  }

  private static void drawYAxis(Svg svg, LogAxis y) {
    for (double tick : y.ticks()) {
      double py = yPixel(y, tick);
      svg.line(LEFT, py, RIGHT, py, GRID_STYLE)
          .line(LEFT - 5, py, LEFT, py, AXIS_STYLE)
          .text(LEFT - 9, py + 4, 12, "text-anchor=\"end\"", label(tick) + "x");
    }
    double middle = (TOP + BOTTOM) / 2;
    svg.line(LEFT, TOP, LEFT, BOTTOM, AXIS_STYLE)
        .text(22, middle, 14, "text-anchor=\"middle\" transform=\"rotate(-90 22 " + FigureFormat.coordinate(middle) + ")\"",
            "live p99 / p99 alone (log scale, lower is better)");
  }

  private static void drawTarget(Svg svg, LogAxis y, double ratio, String name) {
    double py = yPixel(y, ratio);
    svg.line(LEFT, py, RIGHT, py, TARGET_STYLE)
        // In the margin, where no point or point label can cover it.
        .text(RIGHT + 6, py + 4, 12, "fill=\"#555\"", name + " " + label(ratio) + "x");
  }

  private static void drawPoint(Svg svg, double[] point, RunFigures run, LabelPlacer labels) {
    String tooltip = run.name() + ": " + FigureFormat.callsPerSecond(run.callsPerSecond()) + " calls/s, p99 "
        + FigureFormat.ratio(run.liveP99Ratio()) + " (" + RunKind.placement(run) + ")";
    svg.circle(point[0], point[1], POINT_RADIUS, markerStyle(run), tooltip);
    LabelPlacer.Placement label = labels.place(point[0], point[1], run.name());
    svg.text(label.x(), label.y(), 12, label.anchorEnd() ? "text-anchor=\"end\"" : "", run.name());
  }

  private static void drawLegend(Svg svg) {
    double rowY = TOP + 10;
    svg.text(LEGEND_X, rowY, 13, "font-weight=\"bold\"", "runs");
    rowY += 22;
    for (String design : List.of(RunKind.NAIVE, RunKind.ENGINE)) {
      for (boolean pinned : new boolean[] {true, false}) {
        // Rounded squares drawn as circles, so that the chart's circles are exactly its runs.
        svg.rect(LEGEND_X, rowY - 10, 2 * POINT_RADIUS, 2 * POINT_RADIUS,
            "rx=\"" + POINT_RADIUS + "\" " + markerStyle(design, pinned));
        svg.text(LEGEND_X + 20, rowY, 12, "", design + ", " + RunKind.placement(pinned));
        rowY += 22;
      }
    }
    svg.line(LEGEND_X, rowY - 4, LEGEND_X + 14, rowY - 4, TARGET_STYLE)
        .text(LEGEND_X + 20, rowY, 12, "", "p99 ratio target");
  }

  private static String markerStyle(RunFigures run) {
    return markerStyle(run.design(), run.pinned());
  }

  /** Colour tells the design; filled is pinned, hollow is shared. */
  private static String markerStyle(String design, boolean pinned) {
    String colour = RunKind.NAIVE.equals(design) ? NAIVE_COLOUR : ENGINE_COLOUR;
    return "fill=\"" + (pinned ? colour : "white") + "\" stroke=\"" + colour + "\" stroke-width=\"2\"";
  }

  private static double xPixel(LinearAxis x, double value) {
    return LEFT + x.fraction(value) * (RIGHT - LEFT);
  }

  private static double yPixel(LogAxis y, double value) {
    return BOTTOM - y.fraction(value) * (BOTTOM - TOP);
  }

  private static String label(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
