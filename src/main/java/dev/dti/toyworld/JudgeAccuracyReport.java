package dev.dti.toyworld;

import java.util.List;
import java.util.Locale;

/** The "Toy world judge" section of docs/benchmarks.md, as Markdown. */
final class JudgeAccuracyReport {

  private JudgeAccuracyReport() {}

  static String markdown(List<JudgeAccuracy.Tally> tallies, int count, long seed) {
    var text = new StringBuilder();
    text.append(
        """
        Per-attribute accuracy of `dev.dti.toyworld.Judge` on %d held-out generator pictures per \
        layout (held-out stream, seed %d, every shape equally often, so half the objects have an \
        unnamed shape). Two-object rows count each half's object, so they cover %d objects. \
        Degraded pictures imitate generated ones: a Gaussian blur (σ 0.6 px), then Gaussian pixel \
        noise (σ as a share of the 0–255 range); the stress rows go beyond that to show where the \
        judge starts to fail. Regenerate with \
        `java -jar target/dti-service.jar toyworld judge-accuracy --count %d --seed %d`.

        | scene | picture | background | colour | shape |
        |---|---|---|---|---|
        """
            .formatted(count, seed, 2 * count, count, seed));
    for (JudgeAccuracy.Tally tally : tallies) {
      text.append(
          "| %s | %s | %s | %s | %s |%n"
              .formatted(
                  scene(tally.layout()),
                  tally.degradation().name(),
                  percent(tally.backgroundAccuracy()),
                  percent(tally.colourAccuracy()),
                  percent(tally.shapeAccuracy())));
    }
    text.append("\nShape accuracy by true shape:\n\n| scene | picture |");
    for (Shape shape : Shape.values()) {
      text.append(' ').append(shape.word()).append(" |");
    }
    text.append("\n|---|---|").append("---|".repeat(Shape.values().length)).append('\n');
    for (JudgeAccuracy.Tally tally : tallies) {
      text.append("| ").append(scene(tally.layout())).append(" | ");
      text.append(tally.degradation().name()).append(" |");
      for (Shape shape : Shape.values()) {
        text.append(' ').append(percent(tally.shapeAccuracy(shape))).append(" |");
      }
      text.append('\n');
    }
    return text.toString();
  }

  private static String scene(Layout layout) {
    return layout == Layout.SINGLE ? "one object" : "two objects";
  }

  private static String percent(double share) {
    return Double.isNaN(share) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }
}
