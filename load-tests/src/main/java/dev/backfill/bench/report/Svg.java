package dev.backfill.bench.report;

import static dev.backfill.bench.report.FigureFormat.coordinate;

/** Just enough SVG for one chart, written by hand so that the report needs no plotting library. */
final class Svg {

  private final StringBuilder body = new StringBuilder();
  private final int width;
  private final int height;

  Svg(int width, int height) {
    this.width = width;
    this.height = height;
  }

  Svg line(double x1, double y1, double x2, double y2, String style) {
    body.append("  <line x1=\"").append(coordinate(x1)).append("\" y1=\"").append(coordinate(y1))
        .append("\" x2=\"").append(coordinate(x2)).append("\" y2=\"").append(coordinate(y2))
        .append("\" ").append(style).append("/>\n");
    return this;
  }

  /** @param attributes extra attributes, e.g. {@code text-anchor="end"}, or empty */
  Svg text(double x, double y, int size, String attributes, String content) {
    body.append("  <text x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y))
        .append("\" font-size=\"").append(size).append("\" ").append(attributes).append('>')
        .append(escaped(content)).append("</text>\n");
    return this;
  }

  Svg rect(double x, double y, double width, double height, String style) {
    body.append("  <rect x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y))
        .append("\" width=\"").append(coordinate(width)).append("\" height=\"").append(coordinate(height))
        .append("\" ").append(style).append("/>\n");
    return this;
  }

  /** A circle with a tooltip: browsers show {@code tooltip} when the pointer rests on it. */
  Svg circle(double cx, double cy, double r, String style, String tooltip) {
    body.append("  <circle cx=\"").append(coordinate(cx)).append("\" cy=\"").append(coordinate(cy))
        .append("\" r=\"").append(coordinate(r)).append("\" ").append(style).append("><title>")
        .append(escaped(tooltip)).append("</title></circle>\n");
    return this;
  }

  String document() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
        + "\" viewBox=\"0 0 " + width + " " + height + "\" font-family=\"sans-serif\">\n"
        + "  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        + body
        + "</svg>\n";
  }

  static String escaped(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
