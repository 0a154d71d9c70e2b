package dev.dti.diffusion.pipeline;

import static dev.dti.diffusion.pipeline.StableDiffusionModel.TEXT_ENCODER;
import static dev.dti.diffusion.pipeline.StableDiffusionModel.TEXT_ENCODER_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.diffusion.scheduler.EulerDiscreteScheduler;
import dev.dti.diffusion.scheduler.SchedulerType;
import dev.dti.embedding.VocabularyNorms;
import dev.dti.support.Golden;
import dev.dti.support.MaxAbsError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Agreement with diffusers' StableDiffusionXLPipeline on the golden folder sdxl_pipeline_tiny, a
 * complete tiny SDXL folder loaded as saved: "a photo of a cat", 32×32, 2 Euler steps, guidance 5.
 * Hard limits from its README: 1e-4 on embeddings, decoded and image; 2e-4 on noise predictions and
 * latents; ids, timesteps and time ids exact.
 */
class StableDiffusionXLPipelineGoldenTest {

  private static final double EMBEDDINGS = 1e-4;
  private static final double LATENTS = 2e-4;
  private static final String PROMPT = "a photo of a cat";
  private static final String TI_PROMPT = "a photo of <cat-toy>";

  private static NDManager manager;
  private static StableDiffusionModel model;
  private static SafetensorsFile reference;

  @BeforeAll
  static void load() throws Exception {
    Path dir = Golden.dir("sdxl_pipeline_tiny");
    manager = NDManager.newBaseManager();
    model = StableDiffusionModel.load(dir, manager);
    reference = SafetensorsFile.open(dir.resolve("reference.safetensors"));
  }

  @AfterAll
  static void close() throws Exception {
    reference.close();
    manager.close();
  }

  @Test
  void theFolderLoadsAsAnSdxlModelWithEulerAndTheVaesScalingFactor() throws Exception {
    StableDiffusionModel.check(Golden.dir("sdxl_pipeline_tiny"));
    assertThat(model.isXL()).isTrue();
    assertThat(model.textEncoderNames()).containsExactly(TEXT_ENCODER, TEXT_ENCODER_2);
    assertThat(model.hiddenSize(TEXT_ENCODER)).isEqualTo(16);
    assertThat(model.hiddenSize(TEXT_ENCODER_2)).isEqualTo(24);
    assertThat(model.defaultScheduler()).isEqualTo(SchedulerType.EULER);
    assertThat(model.forceZerosForEmptyPrompt()).isTrue();
    assertThat(model.vae().scalingFactor()).isEqualTo(0.13025);
    assertThat(model.schedulerConfig().timestepSpacing()).isEqualTo("leading");
    assertThat(model.schedulerConfig().stepsOffset()).isEqualTo(1);
    assertThat(model.id()).matches("[0-9a-f]{64}");
  }

  @Test
  void eachTokenizerPadsWithItsOwnPadId() throws Exception {
    assertIds(model.tokenizer(TEXT_ENCODER).encodePadded(PROMPT), "input_ids");
    assertIds(model.tokenizer(TEXT_ENCODER_2).encodePadded(PROMPT), "input_ids_2");
    assertIds(model.tokenizer(TEXT_ENCODER).encodePadded(""), "negative_input_ids");
    assertIds(model.tokenizer(TEXT_ENCODER_2).encodePadded(""), "negative_input_ids_2");
    assertIds(model.tokenizer(TEXT_ENCODER).encodePadded("a cat!"), "exclaim_input_ids");
    assertIds(model.tokenizer(TEXT_ENCODER_2).encodePadded("a cat!"), "exclaim_input_ids_2");
    assertThat(model.tokenizer(TEXT_ENCODER).padTokenId()).isEqualTo(49407);
    assertThat(model.tokenizer(TEXT_ENCODER_2).padTokenId()).isZero();
  }

  @Test
  void promptEmbedsAreBothPenultimateStatesAndPooledIsTextEncoder2TextEmbeds() throws Exception {
    Conditioning cond = model.textConditioning(Map.of(), manager).encode(PROMPT, manager);
    assertClose("prompt_embeds", cond.hiddenStates(), "prompt_embeds", EMBEDDINGS);
    assertClose("pooled_prompt_embeds", cond.textEmbeds(), "pooled_prompt_embeds", EMBEDDINGS);
    assertThat(cond.timeIds()).isNull();
  }

  @Test
  void anExplicitEmptyNegativePromptIsEncodedAndAnAbsentOneIsExactZeros() throws Exception {
    TextConditioning prompts = model.textConditioning(Map.of(), manager);
    Conditioning empty = prompts.encodeNegative("", manager);
    assertClose("negative_prompt_embeds", empty.hiddenStates(), "negative_prompt_embeds", 1e-4);
    assertClose("negative_pooled", empty.textEmbeds(), "negative_pooled_prompt_embeds", EMBEDDINGS);
    Conditioning absent = prompts.encodeNegative(null, manager);
    assertThat(MaxAbsError.of(absent.hiddenStates(), load("neg_none.negative_prompt_embeds")))
        .isZero();
    assertThat(MaxAbsError.of(absent.textEmbeds(), load("neg_none.negative_pooled_prompt_embeds")))
        .isZero();
    assertThat(absent.hiddenStates().abs().max().getFloat()).isZero();
  }

  @Test
  void timeIdsAreOriginalSizeCropAndTargetSize() throws Exception {
    assertThat(AddTimeIds.of(32, 32).values()).containsExactly(load("add_time_ids").toFloatArray());
    assertThat(AddTimeIds.of(32, 32).toArray(manager, 2).toFloatArray())
        .containsExactly(load("unet_time_ids").toFloatArray());
  }

  @Test
  void eulerWithTheFoldersConfigHasTheLeadingTimestepsAndSigmas() throws Exception {
    var scheduler = (EulerDiscreteScheduler) SchedulerType.EULER.create(model.schedulerConfig(), 0);
    scheduler.setTimesteps(2);
    assertThat(scheduler.timesteps()).containsExactly(load("timesteps").toFloatArray());
    assertThat(scheduler.sigmas()).containsExactly(load("sigmas").toFloatArray());
    assertThat((float) scheduler.initNoiseSigma())
        .isEqualTo(load("init_noise_sigma").toFloatArray()[0]);
  }

  @Test
  void everyStepOfTheGuidedLoopAndTheImageMatchDiffusers() throws Exception {
    runPipeline("", "");
  }

  @Test
  void withoutANegativePromptTheLoopConditionsOnZerosAsDiffusersDoes() throws Exception {
    runPipeline(null, "neg_none.");
  }

  @Test
  void textualInversionRowsInjectedPerEncoderMatchLoadTextualInversionIntoBoth() throws Exception {
    float[][] clipL = {load("ti_clip_l").toFloatArray()};
    float[][] clipG = {load("ti_clip_g").toFloatArray()};
    var prompts =
        (StableDiffusionXLPromptEncoder)
            model.textConditioning(
                Map.of("<cat-toy>", Map.of(TEXT_ENCODER, clipL, TEXT_ENCODER_2, clipG)), manager);

    Map<String, NDArray> ids = prompts.inputIds(TI_PROMPT, manager);
    assertThat(ids.get(TEXT_ENCODER).toLongArray()).containsExactly(loadIds("ti_input_ids"));
    assertThat(ids.get(TEXT_ENCODER_2).toLongArray()).containsExactly(loadIds("ti_input_ids_2"));
    assertThat(model.textEncoder2().pooledIndices(ids.get(TEXT_ENCODER_2))).containsExactly(4);

    Conditioning cond = prompts.encode(TI_PROMPT, manager);
    assertClose("ti_prompt_embeds", cond.hiddenStates(), "ti_prompt_embeds", EMBEDDINGS);
    assertClose("ti_pooled", cond.textEmbeds(), "ti_pooled_prompt_embeds", EMBEDDINGS);
  }

  @Test
  void textToImageSamplesAnSdxlModelWithEulerByDefaultAndTheZerosRuleForAnAbsentNegative() {
    var byDefault = new GenerationSettings(32, 32, 2, 5.0, 0, 7);
    var euler = new GenerationSettings(32, 32, 2, 5.0, 0, 7, SchedulerType.EULER);
    var ddim = new GenerationSettings(32, 32, 2, 5.0, 0, 7, SchedulerType.DDIM);
    int[] absent = pixels(TextToImage.generate(model, PROMPT, null, byDefault));

    assertThat(pixels(TextToImage.generate(model, PROMPT, null, euler))).isEqualTo(absent);
    assertThat(pixels(TextToImage.generate(model, PROMPT, null, ddim))).isNotEqualTo(absent);
    assertThat(pixels(TextToImage.generate(model, PROMPT, "", byDefault))).isNotEqualTo(absent);
  }

  @Test
  void textToImageTakesConceptRowsPerEncoder() throws Exception {
    var settings = new GenerationSettings(32, 32, 2, 5.0, 0, 7);
    Map<String, Map<String, float[][]>> catToy =
        Map.of(
            "<cat-toy>",
            Map.of(
                TEXT_ENCODER, new float[][] {load("ti_clip_l").toFloatArray()},
                TEXT_ENCODER_2, new float[][] {load("ti_clip_g").toFloatArray()}));
    int[] withConcept = pixels(TextToImage.generate(model, catToy, TI_PROMPT, null, settings));

    assertThat(pixels(TextToImage.generate(model, catToy, TI_PROMPT, null, settings)))
        .isEqualTo(withConcept);
    assertThat(pixels(TextToImage.generate(model, catToy, PROMPT, null, settings)))
        .isNotEqualTo(withConcept);
    assertThatThrownBy(
            () ->
                TextToImage.generate(
                    model,
                    Map.of(
                        "<cat-toy>",
                        Map.of(TEXT_ENCODER, catToy.get("<cat-toy>").get(TEXT_ENCODER))),
                    TI_PROMPT,
                    null,
                    settings))
        .hasMessageContaining("has no rows for text encoder 'text_encoder_2'");
  }

  private static int[] pixels(java.awt.image.BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  @Test
  void eachEncodersVocabularyNormIsItsOwn() throws Exception {
    double mL = VocabularyNorms.meanNorm(model, TEXT_ENCODER);
    double mG = VocabularyNorms.meanNorm(model, TEXT_ENCODER_2);
    double expectedL = Golden.float64(reference, "vocab_mean_norm_clip_l");
    double expectedG = Golden.float64(reference, "vocab_mean_norm_clip_g");
    System.out.printf(
        "sdxl m_l = %.12f (golden %.12f), m_g = %.12f (golden %.12f)%n",
        mL, expectedL, mG, expectedG);
    assertThat(Math.abs(mL - expectedL) / expectedL).isLessThanOrEqualTo(1e-12);
    assertThat(Math.abs(mG - expectedG) / expectedG).isLessThanOrEqualTo(1e-12);
    assertThat(VocabularyNorms.meanNorm(model)).isEqualTo(mL);
    assertThat(VocabularyNorms.row(model, TEXT_ENCODER_2, 320)).hasSize(24);
  }

  /**
   * Runs the loop from the golden's initial noise and compares each step, the latents and image.
   */
  private static void runPipeline(String negativePrompt, String prefix) throws Exception {
    try (NDManager run = manager.newSubManager()) {
      TextConditioning prompts = model.textConditioning(Map.of(), run);
      Conditioning cond = prompts.encode(PROMPT, run);
      Conditioning uncond = prompts.encodeNegative(negativePrompt, run);
      NDArray timeIds = AddTimeIds.of(32, 32).toArray(run, 1);
      cond = cond.withTimeIds(timeIds);
      uncond = uncond.withTimeIds(timeIds);
      if (negativePrompt != null) {
        Conditioning batch = Conditioning.batch(uncond, cond);
        assertClose(
            "unet_encoder_hidden_states",
            batch.hiddenStates(),
            "unet_encoder_hidden_states",
            EMBEDDINGS);
        assertClose("unet_text_embeds", batch.textEmbeds(), "unet_text_embeds", EMBEDDINGS);
      }
      var scheduler = SchedulerType.EULER.create(model.schedulerConfig(), 0);
      scheduler.setTimesteps(2);
      List<String> failures = new ArrayList<>();
      NDArray latents =
          TextToImage.denoise(
              model.unet(),
              scheduler,
              cond,
              uncond,
              load(run, "latents_noise"),
              new GaussianNoise(0),
              5.0,
              step -> {
                String s = prefix + "step" + step.index() + "_";
                try {
                  if (step.index() == 0) {
                    assertThat(step.timestep().toFloatArray())
                        .containsExactly(load("step0_timestep").toFloatArray());
                  }
                  assertClose(
                      s + "latent_model_input",
                      step.modelInput(),
                      s + "latent_model_input",
                      LATENTS);
                  assertClose(s + "unet_output", step.unetOutput(), s + "unet_output", LATENTS);
                  assertClose(s + "noise_pred", step.noisePred(), s + "noise_pred", LATENTS);
                  assertClose(
                      prefix + "latents_step" + (step.index() + 1),
                      step.latents(),
                      prefix + "latents_step" + (step.index() + 1),
                      LATENTS);
                } catch (AssertionError | Exception e) {
                  failures.add(e.getMessage());
                }
              });
      assertThat(failures).isEmpty();
      NDArray decoded = model.vae().decode(latents.div(model.vae().scalingFactor()));
      if (negativePrompt != null) {
        assertClose("decoded", decoded, "decoded", EMBEDDINGS);
      }
      NDArray image = decoded.div(2).add(0.5).clip(0, 1).transpose(0, 2, 3, 1);
      assertClose(prefix + "image", image, prefix + "image", EMBEDDINGS);
    }
  }

  private static void assertIds(int[] actual, String goldenName) throws Exception {
    assertThat(Arrays.stream(actual).asLongStream().toArray())
        .as(goldenName)
        .containsExactly(loadIds(goldenName));
  }

  private static long[] loadIds(String name) throws Exception {
    return load(name).toLongArray();
  }

  private static NDArray load(String name) throws Exception {
    return reference.load(manager, name);
  }

  private static NDArray load(NDManager m, String name) throws Exception {
    return reference.load(m, name);
  }

  private static void assertClose(String label, NDArray actual, String goldenName, double limit)
      throws Exception {
    double error = MaxAbsError.of(actual, reference.load(actual.getManager(), goldenName));
    System.out.printf("sdxl_pipeline_tiny parity %-32s max |diff| = %.3e%n", label, error);
    assertThat(error).as(label + " max abs error").isLessThanOrEqualTo(limit);
  }
}
