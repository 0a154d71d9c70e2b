package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.cli.BenchmarksFile;
import dev.dti.diffusion.pipeline.GenerationSettings;
import dev.dti.diffusion.pipeline.PromptEncoder;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.pipeline.TextToImage;
import dev.dti.diffusion.scheduler.DDIMScheduler;
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
import dev.dti.training.PromptTemplates;
import dev.dti.training.TrainingCheckpoint;
import dev.dti.training.TrainingMethod;
import dev.dti.training.TrainingProgress;
import dev.dti.training.TrainingRequest;
import dev.dti.training.TrainingResult;
import dev.dti.training.VocabularyNorms;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TI and DTI side by side on the toy model, through the service's own training code: for each
 * unnamed-shape concept, 4 reference pictures → both methods with identical seeds and steps → the
 * same prompts and noise seeds for both → the judge. Subject fidelity: the judge sees the concept's
 * shape. Text fidelity: on "a {colour} {c} on a {background} background" with another colour than
 * the concept's own, the judge agrees with the prompt's colour and background.
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
          new Concept(Shape.RING, ObjectColour.YELLOW));

  /** Tallies of one method. */
  private static final class Tally {
    int simple;
    int simpleSubject;
    int complex;
    int complexSubject;
    int complexColour;
    int complexBackground;
    double finalNormSum;
    double maxNorm;
    int runs;
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
        for (int seed = 0; seed < seeds; seed++) {
          for (TrainingMethod method : TrainingMethod.values()) {
            Tally tally = method == TrainingMethod.TI ? ti : dti;
            var request =
                new TrainingRequest(
                    method,
                    concept.token(),
                    ToyWorld.UNNAMED_SHAPE_WORD,
                    null,
                    steps,
                    method == TrainingMethod.DTI ? 0.01 : 0.005,
                    method == TrainingMethod.TI, // diffusers' TI: 5e-3 × batch
                    1e-4,
                    1e-2,
                    4,
                    seed,
                    PromptTemplates.OBJECT,
                    captions,
                    references);
            TrainingResult result =
                new ConceptTrainer(model, GradientLock.jvmWide(), 4).train(request, null, QUIET);
            float[] norms = result.normHistory();
            double max = 0;
            for (float n : norms) {
              max = Math.max(max, n);
            }
            tally.finalNormSum += norms[norms.length - 1];
            tally.maxNorm = Math.max(tally.maxNorm, max);
            tally.runs++;
            int[] before = {
              tally.simpleSubject,
              tally.complexSubject,
              tally.complexColour,
              tally.complexBackground
            };
            generate(model, concept, result.rows(), images, tally);
            rows.add(
                String.format(
                    Locale.ROOT,
                    "| `%s` | %d | %s | %.0f %% | %.0f %% | %.0f %% | %.0f %% | %.2f m |",
                    concept.token(),
                    seed,
                    method.wireName(),
                    100.0 * (tally.simpleSubject - before[0]) / images,
                    100.0 * (tally.complexSubject - before[1]) / images,
                    100.0 * (tally.complexColour - before[2]) / images,
                    100.0 * (tally.complexBackground - before[3]) / images,
                    norms[norms.length - 1] / m));
            out.println(rows.getLast());
          }
        }
      }
      double minutes = (System.nanoTime() - start) / 60e9;
      BenchmarksFile.replaceSection(
          doc, SECTION, report(modelDir, seeds, images, steps, m, ti, dti, rows, minutes));
    }
  }

  private void generate(
      StableDiffusionModel model, Concept concept, float[][] rows, int images, Tally tally) {
    ObjectColour[] colours = ObjectColour.values();
    BackgroundColour[] backgrounds = BackgroundColour.values();
    for (int i = 0; i < images; i++) {
      // Paired across methods: image i has the same prompts and noise seed for TI and DTI.
      ObjectColour colour =
          colours[(concept.colour().ordinal() + 1 + i % (colours.length - 1)) % colours.length];
      BackgroundColour background = backgrounds[(i / (colours.length - 1)) % backgrounds.length];
      if (!colour.visibleOn(background)) {
        background = BackgroundColour.WHITE;
      }
      String simple = "a " + concept.token();
      String complex =
          "a "
              + colour.word()
              + " "
              + concept.token()
              + " on a "
              + background.word()
              + " background";
      Judgement first = judge(model, concept, rows, simple, i);
      Judgement second = judge(model, concept, rows, complex, i);
      tally.simple++;
      tally.complex++;
      if (shape(first).equals(concept.shape().word())) {
        tally.simpleSubject++;
      }
      if (shape(second).equals(concept.shape().word())) {
        tally.complexSubject++;
      }
      if (second.objects().getFirst().colour().value().equals(colour.word())) {
        tally.complexColour++;
      }
      if (second.background().value().equals(background.word())) {
        tally.complexBackground++;
      }
    }
  }

  private static String shape(Judgement judgement) {
    return judgement.objects().getFirst().shape().value();
  }

  private static Judgement judge(
      StableDiffusionModel model, Concept concept, float[][] rows, String prompt, long seed) {
    try (NDManager manager = NDManager.newBaseManager()) {
      PromptEncoder prompts =
          PromptEncoder.withConcepts(model, Map.of(concept.token(), rows), manager);
      NDArray cond = prompts.encode(prompt, manager);
      NDArray uncond = prompts.encode("", manager);
      BufferedImage image =
          TextToImage.generate(
              model.unet(),
              model.vae(),
              new DDIMScheduler(model.schedulerConfig()),
              cond,
              uncond,
              new GenerationSettings(
                  ToyWorld.IMAGE_SIZE,
                  ToyWorld.IMAGE_SIZE,
                  BaseModelEvaluation.DDIM_STEPS,
                  BaseModelEvaluation.GUIDANCE,
                  0,
                  seed));
      return Judge.judge(image, Layout.SINGLE);
    }
  }

  private static String report(
      Path model,
      int seeds,
      int images,
      int steps,
      double m,
      Tally ti,
      Tally dti,
      List<String> rows,
      double minutes) {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "`java -jar target/dti-service.jar toyworld compare --model %s --seeds %d --images %d"
                + " --steps %d` (%.1f min). For each unnamed-shape concept, 4 held-out reference"
                + " pictures captioned \"a <c> on a {background} background\" → TI (AdamW, lr 5e-3"
                + " × batch 4, weight decay 1e-2) and DTI (SphericalSGD, lr 0.01, κ 1e-4) with the"
                + " same seeds, %d steps, batch 4, through `ConceptTrainer` → %d pictures per prompt"
                + " type with the same noise seeds for both methods (DDIM %d steps, guidance %.1f) →"
                + " the judge. Simple prompt: \"a <c>\". Complex prompt: \"a {colour} <c> on a"
                + " {background} background\" with a colour other than the concept's own. Subject"
                + " fidelity: the judge reads the concept's shape; text fidelity: it reads the"
                + " prompt's colour / background. m = %.4f.%n%n",
            model,
            seeds,
            images,
            steps,
            minutes,
            steps,
            images,
            BaseModelEvaluation.DDIM_STEPS,
            BaseModelEvaluation.GUIDANCE,
            m));
    text.append(
        "| method | subject, simple | subject, complex | text: colour | text: background |"
            + " final norm (mean) | max norm |\n|---|---|---|---|---|---|---|\n");
    text.append(summary("TI", ti, m)).append(summary("DTI", dti, m));
    text.append(
        "\nPer concept and seed:\n\n| concept | seed | method | subject, simple | subject, complex |"
            + " text: colour | text: background | final norm |\n|---|---|---|---|---|---|---|---|\n");
    rows.forEach(row -> text.append(row).append('\n'));
    return text.toString();
  }

  private static String summary(String name, Tally t, double m) {
    return String.format(
        Locale.ROOT,
        "| %s | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.2f m | %.2f m |%n",
        name,
        100.0 * t.simpleSubject / t.simple,
        100.0 * t.complexSubject / t.complex,
        100.0 * t.complexColour / t.complex,
        100.0 * t.complexBackground / t.complex,
        t.finalNormSum / t.runs / m,
        t.maxNorm / m);
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
        public void onCheckpoint(TrainingCheckpoint checkpoint, float[][] rows) {}
      };
}
