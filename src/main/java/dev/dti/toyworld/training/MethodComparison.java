package dev.dti.toyworld.training;

import ai.djl.ndarray.NDManager;
import dev.dti.cli.BenchmarksFile;
import dev.dti.concept.TrainingDefaults;
import dev.dti.diffusion.pipeline.GenerationSettings;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.pipeline.TextToImage;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.VocabularyNorms;
import dev.dti.job.GradientLock;
import dev.dti.toyworld.BackgroundColour;
import dev.dti.toyworld.Judge;
import dev.dti.toyworld.Judgement;
import dev.dti.toyworld.Layout;
import dev.dti.toyworld.ObjectColour;
import dev.dti.toyworld.Scene;
import dev.dti.toyworld.SceneSampler;
import dev.dti.toyworld.Shape;
import dev.dti.toyworld.ToyWorld;
import dev.dti.training.ConceptTrainer;
import dev.dti.training.TrainingCheckpoint;
import dev.dti.training.TrainingProgress;
import dev.dti.training.TrainingRequest;
import dev.dti.training.TrainingResult;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TI and DTI side by side on the toy model, through the service's own training code: for each of
 * the four unnamed-shape concepts, 4 reference pictures → both methods with identical seeds and
 * steps → the same prompts and noise seeds for both → the judge. Subject fidelity: the judge sees
 * the concept's shape. Text fidelity: on the complex and two-object prompts ({@link #promptsFor}),
 * the judge agrees with the prompt's other words.
 */
public final class MethodComparison {

  static final String SECTION = "TI vs DTI on the toy model";

  private record Concept(Shape shape, ObjectColour colour) {
    String token() {
      return "<" + colour.word() + "-" + shape.word() + ">";
    }
  }

  private static final List<Concept> CONCEPTS =
      List.of(
          new Concept(Shape.STAR, ObjectColour.RED),
          new Concept(Shape.HEART, ObjectColour.GREEN),
          new Concept(Shape.RING, ObjectColour.YELLOW),
          new Concept(Shape.DIAMOND, ObjectColour.PURPLE));

  /** The three prompt types, each judged in its own layout. */
  enum Kind {
    SIMPLE,
    COMPLEX,
    TWO_OBJECTS
  }

  /**
   * One prompt and what it asks for: the concept in {@code colour} (null: its own) on {@code
   * background} (null: any), and for two-object prompts a named {@code second} object on the right.
   */
  record Prompt(
      Kind kind,
      String text,
      ObjectColour colour,
      BackgroundColour background,
      Shape second,
      ObjectColour secondColour) {}

  /** Where the norm over training is reported, as shares of the run's steps. */
  static final double[] NORM_STEPS = {0, 0.125, 0.25, 0.5, 0.75, 1};

  /** Counts of one method (or one run), per prompt type. */
  private static final class Tally {
    final int[] pictures = new int[Kind.values().length];
    final int[] subject = new int[Kind.values().length];
    final int[] colour = new int[Kind.values().length];
    final int[] background = new int[Kind.values().length];
    int second;

    /** Sum over runs of the mean row norm (in m) after each of {@link #NORM_STEPS}. */
    final double[] normAt = new double[NORM_STEPS.length];

    double finalNormSum;
    double maxNorm;
    int runs;

    /** One run, its norm statistics (in m) from its norm history; no pictures counted yet. */
    static Tally ofNorms(float[] norms, double m) {
      Tally run = new Tally();
      run.runs = 1;
      for (float n : norms) {
        run.maxNorm = Math.max(run.maxNorm, n / m);
      }
      run.finalNormSum = norms[norms.length - 1] / m;
      for (int j = 0; j < NORM_STEPS.length; j++) {
        run.normAt[j] = norms[normIndex(NORM_STEPS[j], norms.length)] / m;
      }
      return run;
    }

    /** This run's line in the per-concept table. */
    String row(Concept concept, String seed, String method) {
      return String.format(
          Locale.ROOT,
          "| `%s` | %s | %s | %s | %.2f m |",
          concept.token(),
          seed,
          method,
          cells(),
          finalNormSum);
    }

    void add(Tally run) {
      for (int k = 0; k < pictures.length; k++) {
        pictures[k] += run.pictures[k];
        subject[k] += run.subject[k];
        colour[k] += run.colour[k];
        background[k] += run.background[k];
      }
      second += run.second;
      for (int j = 0; j < normAt.length; j++) {
        normAt[j] += run.normAt[j];
      }
      finalNormSum += run.finalNormSum;
      maxNorm = Math.max(maxNorm, run.maxNorm);
      runs += run.runs;
    }

    String rate(int[] counts, Kind kind) {
      return percent(counts[kind.ordinal()], pictures[kind.ordinal()]);
    }

    String backgrounds() {
      return percent(
          background[Kind.COMPLEX.ordinal()] + background[Kind.TWO_OBJECTS.ordinal()],
          pictures[Kind.COMPLEX.ordinal()] + pictures[Kind.TWO_OBJECTS.ordinal()]);
    }

    /** The table cells from subject (simple) to background. */
    String cells() {
      return String.join(
          " | ",
          rate(subject, Kind.SIMPLE),
          rate(colour, Kind.SIMPLE),
          rate(subject, Kind.COMPLEX),
          rate(subject, Kind.TWO_OBJECTS),
          rate(colour, Kind.COMPLEX),
          rate(colour, Kind.TWO_OBJECTS),
          percent(second, pictures[Kind.TWO_OBJECTS.ordinal()]),
          backgrounds());
    }

    private static String percent(int count, int total) {
      return String.format(Locale.ROOT, "%.1f %%", 100.0 * count / total);
    }
  }

  private final PrintStream out;

  public MethodComparison(PrintStream out) {
    this.out = out;
  }

  public void run(Path modelDir, int seeds, int images, int steps, Path doc) throws Exception {
    long start = System.nanoTime();
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(modelDir, manager);
      double m = VocabularyNorms.meanNorm(model);
      Tally ti = new Tally();
      Tally dti = new Tally();
      Tally untrained = new Tally();
      ConceptTrainer trainer = new ConceptTrainer(model, GradientLock.jvmWide(), 4);
      int initializerId = trainer.initializerIds(ToyWorld.UNNAMED_SHAPE_WORD)[0];
      List<String> rows = new ArrayList<>();
      for (int c = 0; c < CONCEPTS.size(); c++) {
        Concept concept = CONCEPTS.get(c);
        List<BufferedImage> references = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        var sampler = SceneSampler.heldOut(500 + c, SceneSampler.Settings.TRAINING);
        for (int i = 0; i < 4; i++) {
          Scene scene =
              sampler.nextSingle(
                  new SceneSampler.Fixed(concept.shape(), concept.colour(), null, null));
          references.add(ToyWorld.render(scene));
          captions.add(
              "a " + concept.token() + " on a " + scene.background().word() + " background");
        }
        // The baseline both methods start from: the initializer's own row, untrained.
        float[][] initial = {VocabularyNorms.row(model, initializerId)};
        Tally baseline = Tally.ofNorms(new float[] {(float) Rows.norm(initial[0])}, m);
        generate(model, concept, initial, images, baseline);
        untrained.add(baseline);
        rows.add(baseline.row(concept, "–", "untrained"));
        out.println(rows.getLast());
        for (int seed = 0; seed < seeds; seed++) {
          for (TrainingMethod method : TrainingMethod.values()) {
            Tally tally = method == TrainingMethod.TI ? ti : dti;
            var request =
                TrainingRequest.builder(
                        method, concept.token(), ToyWorld.UNNAMED_SHAPE_WORD, references)
                    .steps(steps)
                    .scaleLr(method == TrainingMethod.TI) // diffusers' TI: 5e-3 × batch
                    .seed(seed)
                    .captions(captions)
                    .build();
            TrainingResult result = trainer.train(request, null, QUIET);
            Tally run = Tally.ofNorms(result.normHistory(), m);
            generate(model, concept, result.rows(), images, run);
            tally.add(run);
            rows.add(run.row(concept, Integer.toString(seed), method.wireName()));
            out.println(rows.getLast());
          }
        }
      }
      double minutes = (System.nanoTime() - start) / 60e9;
      BenchmarksFile.replaceSection(
          doc,
          SECTION,
          report(modelDir, seeds, images, steps, m, ti, dti, untrained, rows, minutes));
    }
  }

  private void generate(
      StableDiffusionModel model, Concept concept, float[][] rows, int images, Tally tally) {
    for (int i = 0; i < images; i++) {
      // Paired across methods: picture i has the same prompts and noise seed for TI and DTI.
      for (Prompt prompt : prompts(concept, i)) {
        int k = prompt.kind().ordinal();
        Judgement judgement =
            judge(
                model,
                concept,
                rows,
                prompt.text(),
                prompt.kind() == Kind.TWO_OBJECTS ? Layout.PAIR : Layout.SINGLE,
                i);
        Judgement.ObjectReading subject = judgement.objects().getFirst();
        tally.pictures[k]++;
        if (subject.shape().value().equals(concept.shape().word())) {
          tally.subject[k]++;
        }
        if (prompt.colour() != null && subject.colour().value().equals(prompt.colour().word())) {
          tally.colour[k]++;
        }
        if (prompt.background() != null
            && judgement.background().value().equals(prompt.background().word())) {
          tally.background[k]++;
        }
        if (prompt.second() != null) {
          Judgement.ObjectReading right = judgement.objects().get(1);
          if (right.shape().value().equals(prompt.second().word())
              && right.colour().value().equals(prompt.secondColour().word())) {
            tally.second++;
          }
        }
      }
    }
  }

  /**
   * Picture i's prompts: "a <c>"; "a {colour} <c> on a {background} background" with a colour other
   * than the concept's own; and "a {colour} <c> next to a {colour'} {shape} on a {background}
   * background" with a named second shape. Colours and backgrounds cycle with i, so every method
   * sees the same ones.
   */
  static List<Prompt> promptsFor(String token, ObjectColour own, int i) {
    ObjectColour[] colours = ObjectColour.values();
    BackgroundColour[] backgrounds = BackgroundColour.values();
    List<Shape> named = Shape.namedShapes();
    ObjectColour colour = colours[(own.ordinal() + 1 + i % (colours.length - 1)) % colours.length];
    BackgroundColour background = backgrounds[(i / (colours.length - 1)) % backgrounds.length];
    ObjectColour secondColour =
        colours[(colour.ordinal() + 1 + (i / 2) % (colours.length - 1)) % colours.length];
    if (!colour.visibleOn(background) || !secondColour.visibleOn(background)) {
      background = BackgroundColour.WHITE;
    }
    Shape second = named.get(i % named.size());
    return List.of(
        new Prompt(Kind.SIMPLE, "a " + token, own, null, null, null),
        new Prompt(
            Kind.COMPLEX,
            ToyWorld.article(colour.word())
                + " "
                + colour.word()
                + " "
                + token
                + " on a "
                + background.word()
                + " background",
            colour,
            background,
            null,
            null),
        new Prompt(
            Kind.TWO_OBJECTS,
            ToyWorld.article(colour.word())
                + " "
                + colour.word()
                + " "
                + token
                + " next to "
                + ToyWorld.article(secondColour.word())
                + " "
                + secondColour.word()
                + " "
                + second.word()
                + " on a "
                + background.word()
                + " background",
            colour,
            background,
            second,
            secondColour));
  }

  private static List<Prompt> prompts(Concept concept, int i) {
    return promptsFor(concept.token(), concept.colour(), i);
  }

  private static Judgement judge(
      StableDiffusionModel model,
      Concept concept,
      float[][] rows,
      String prompt,
      Layout layout,
      long seed) {
    BufferedImage image =
        TextToImage.generate(
            model,
            Map.of(concept.token(), Map.of(StableDiffusionModel.TEXT_ENCODER, rows)),
            prompt,
            "",
            new GenerationSettings(
                ToyWorld.IMAGE_SIZE,
                ToyWorld.IMAGE_SIZE,
                BaseModelEvaluation.DDIM_STEPS,
                BaseModelEvaluation.GUIDANCE,
                0,
                seed));
    return Judge.judge(image, layout);
  }

  private static String report(
      Path model,
      int seeds,
      int images,
      int steps,
      double m,
      Tally ti,
      Tally dti,
      Tally untrained,
      List<String> rows,
      double minutes) {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "`java -jar target/dti-service.jar toyworld compare --model %s --seeds %d --images %d"
                + " --steps %d` (%.1f min). For each unnamed-shape concept, 4 held-out reference"
                + " pictures captioned \"a <c> on a {background} background\" → TI (AdamW, lr %s"
                + " × batch %d, weight decay %s) and DTI (SphericalSGD, lr %s, κ %s) with the"
                + " same seeds, %d steps, batch %d, through `ConceptTrainer` → %d pictures per prompt"
                + " type with the same prompts and noise seeds for both methods (DDIM %d steps,"
                + " guidance %.1f) → the judge. Prompt types: simple \"a <c>\"; complex \"a"
                + " {colour} <c> on a {background} background\"; two-object \"a {colour} <c> next"
                + " to a {colour'} {named shape} on a {background} background\" (judged per half),"
                + " the colour always another than the concept's own. Subject fidelity: the judge"
                + " reads the concept's shape (on the left in two-object pictures), and on the simple"
                + " prompt also the concept's own colour. Text fidelity:"
                + " it reads the prompt's colour for the concept, the second object's shape and"
                + " colour together, and the background (complex and two-object pictures). Baseline:"
                + " the initializer \"object\" in place of <c>, untrained (once per concept, the"
                + " same prompts and seeds). m = %.4f.%n%n",
            model,
            seeds,
            images,
            steps,
            minutes,
            plain(TrainingDefaults.DEFAULT_LEARNING_RATE_TI),
            TrainingDefaults.DEFAULT_BATCH_SIZE,
            plain(TrainingDefaults.DEFAULT_TI_WEIGHT_DECAY),
            plain(TrainingDefaults.DEFAULT_LEARNING_RATE_DTI),
            plain(TrainingDefaults.DEFAULT_KAPPA),
            steps,
            TrainingDefaults.DEFAULT_BATCH_SIZE,
            images,
            BaseModelEvaluation.DDIM_STEPS,
            BaseModelEvaluation.GUIDANCE,
            m));
    String header =
        " | subject: simple | own colour: simple | subject: complex | subject: two-object | colour:"
            + " complex | colour: two-object | second object | background |";
    text.append("| method")
        .append(header)
        .append(" final norm (mean) | max norm |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    text.append(summary("initializer \"object\", untrained", untrained))
        .append(summary("TI", ti))
        .append(summary("DTI", dti));
    text.append(normTable(steps, ti, dti));
    text.append("\nPer concept and seed:\n\n| concept | seed | method")
        .append(header)
        .append(" final norm |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    rows.forEach(row -> text.append(row).append('\n'));
    return text.toString();
  }

  /** The index in a norm history of {@code share} of its steps (0: after the first step). */
  static int normIndex(double share, int steps) {
    return Math.max(0, (int) Math.round(share * steps) - 1);
  }

  private static String normTable(int steps, Tally ti, Tally dti) {
    StringBuilder text =
        new StringBuilder("\nMean row norm over training, in m (mean over runs):\n\n");
    text.append("| method |");
    for (double share : NORM_STEPS) {
      text.append(" step ").append(normIndex(share, steps) + 1).append(" |");
    }
    text.append("\n|---|").append("---|".repeat(NORM_STEPS.length)).append('\n');
    for (Tally t : List.of(ti, dti)) {
      text.append(t == ti ? "| TI |" : "| DTI |");
      for (double sum : t.normAt) {
        text.append(String.format(Locale.ROOT, " %.2f |", sum / t.runs));
      }
      text.append('\n');
    }
    return text.toString();
  }

  private static String summary(String name, Tally t) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %.2f m | %.2f m |%n",
        name,
        t.cells(),
        t.finalNormSum / t.runs,
        t.maxNorm);
  }

  private static final ConceptTrainer.Listener QUIET =
      new ConceptTrainer.Listener() {
        @Override
        public void onStep(TrainingProgress progress) {}

        @Override
        public boolean checkpointAfter(int step) {
          return false;
        }

        @Override
        public void onCheckpoint(
            TrainingCheckpoint checkpoint,
            Map<String, dev.dti.embedding.Embedding.EncoderRows> rows) {}
      };

  /** A setting as the report prints it: 0.005, 0.0001. */
  private static String plain(double value) {
    return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
