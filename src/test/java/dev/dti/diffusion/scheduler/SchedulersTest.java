package dev.dti.diffusion.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.support.Golden;
import dev.dti.support.MaxAbsError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parity with diffusers 0.27.2 on the SD scheduler config (golden folder {@code schedulers}). */
class SchedulersTest {

  private static final Path GOLDEN = Golden.dir("schedulers");

  private NDManager manager;
  private SafetensorsFile inputs;
  private SafetensorsFile outputs;

  @BeforeEach
  void open() throws IOException {
    manager = NDManager.newBaseManager();
    inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"));
    outputs = SafetensorsFile.open(GOLDEN.resolve("outputs.safetensors"));
  }

  @AfterEach
  void close() throws IOException {
    inputs.close();
    outputs.close();
    manager.close();
  }

  /** The SD config as given, written as the scheduler_config.json of a model folder. */
  private static SchedulerConfig sdConfig(Path dir, SchedulerConfig.Target target)
      throws IOException {
    Path file = dir.resolve("scheduler_config.json");
    Files.writeString(
        file,
        """
        {"_class_name": "PNDMScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085,
         "beta_end": 0.012, "beta_schedule": "scaled_linear", "set_alpha_to_one": false,
         "steps_offset": 1, "prediction_type": "epsilon", "clip_sample": false,
         "skip_prk_steps": true, "trained_betas": null}
        """);
    return SchedulerConfig.read(file, target);
  }

  private NDArray input(String name) throws IOException {
    return inputs.load(manager, name);
  }

  private NDArray output(String name) throws IOException {
    return outputs.load(manager, name);
  }

  private float[] values(String name) throws IOException {
    return output(name).toFloatArray();
  }

  private static double maxAbs(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      max = Math.max(max, Math.abs(actual[i] - expected[i]));
    }
    return max;
  }

  /** |a − e| ≤ atol + rtol·|e| everywhere, with rtol = atol = 1e-5. */
  private static void assertClose(String what, NDArray actual, NDArray expected) {
    float[] a = actual.toFloatArray();
    float[] e = expected.toFloatArray();
    assertThat(actual.getShape()).isEqualTo(expected.getShape());
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - e[i]) / (1e-5 + 1e-5 * Math.abs(e[i])));
    }
    System.out.printf(
        "%s: max abs error %.3g (tolerance used %.2f)%n",
        what, MaxAbsError.of(actual, expected), worst);
    assertThat(worst).as(what).isLessThanOrEqualTo(1.0);
  }

  @Test
  void scaledLinearBetasAndAlphasCumprodMatchDiffusers(@TempDir Path dir) throws IOException {
    DDPMScheduler ddpm = new DDPMScheduler(sdConfig(dir, SchedulerConfig.Target.DDPM));

    double betaError = maxAbs(ddpm.betas(), values("betas"));
    double alphaError = maxAbs(ddpm.alphasCumprod(), values("alphas_cumprod"));

    System.out.printf("betas %.3g, alphas_cumprod %.3g%n", betaError, alphaError);
    assertThat(betaError).isLessThanOrEqualTo(1e-6);
    assertThat(alphaError).isLessThanOrEqualTo(1e-6);
  }

  @Test
  void ddpmAddNoiseMixesEachBatchElementAtItsOwnTimestep(@TempDir Path dir) throws IOException {
    DDPMScheduler ddpm = new DDPMScheduler(sdConfig(dir, SchedulerConfig.Target.DDPM));

    NDArray noisy =
        ddpm.addNoise(input("ddpm_original"), input("ddpm_noise"), input("ddpm_timesteps"));

    assertClose("ddpm_noisy", noisy, output("ddpm_noisy"));
  }

  @Test
  void ddimLeadingTimestepsWithStepsOffsetAreExact(@TempDir Path dir) throws IOException {
    DDIMScheduler ddim = new DDIMScheduler(sdConfig(dir, SchedulerConfig.Target.DDIM));

    ddim.setTimesteps(20);
    assertThat(ddim.timesteps())
        .containsExactly(
            java.util.Arrays.stream(output("ddim_timesteps_20").toLongArray())
                .mapToInt(Math::toIntExact)
                .toArray());
    assertThat(ddim.timesteps()).startsWith(951, 901).endsWith(1);

    ddim.setTimesteps(50);
    assertThat(ddim.timesteps())
        .containsExactly(
            java.util.Arrays.stream(output("ddim_timesteps_50").toLongArray())
                .mapToInt(Math::toIntExact)
                .toArray());
    assertThat(ddim.finalAlphaCumprod()).isEqualTo(values("ddim_final_alpha_cumprod")[0]);
  }

  @Test
  void ddimTrailingAndLinspaceSpacingFollowDiffusersFormulas() {
    SchedulerConfig leading =
        new SchedulerConfig(
            1000, 0.00085, 0.012, "scaled_linear", "epsilon", false, 1, false, 1, "leading");
    DDIMScheduler trailing = new DDIMScheduler(withSpacing(leading, "trailing"));
    trailing.setTimesteps(4);
    assertThat(trailing.timesteps()).containsExactly(999, 749, 499, 249);
    DDIMScheduler linspace = new DDIMScheduler(withSpacing(leading, "linspace"));
    linspace.setTimesteps(4);
    assertThat(linspace.timesteps()).containsExactly(999, 666, 333, 0);
  }

  private static SchedulerConfig withSpacing(SchedulerConfig c, String spacing) {
    return new SchedulerConfig(
        c.numTrainTimesteps(),
        c.betaStart(),
        c.betaEnd(),
        c.betaSchedule(),
        c.predictionType(),
        c.clipSample(),
        c.clipSampleRange(),
        c.setAlphaToOne(),
        c.stepsOffset(),
        spacing);
  }

  @Test
  void ddimFirstAndLastStepsMatchDiffusers(@TempDir Path dir) throws IOException {
    DDIMScheduler ddim = new DDIMScheduler(sdConfig(dir, SchedulerConfig.Target.DDIM));
    ddim.setTimesteps(20);
    NDArray eps = input("model_output");
    NDArray sample = input("sample");

    SchedulerOutput first = ddim.step(eps, 951, sample);
    SchedulerOutput last = ddim.step(eps, 1, sample);

    assertClose("ddim20 first prev", first.prevSample(), output("ddim20_step_first_prev_sample"));
    assertClose(
        "ddim20 first x0",
        first.predOriginalSample(),
        output("ddim20_step_first_pred_original_sample"));
    assertClose("ddim20 last prev", last.prevSample(), output("ddim20_step_last_prev_sample"));
  }

  @Test
  void ddimTwentyStepLoopMatchesDiffusers(@TempDir Path dir) throws IOException {
    DDIMScheduler ddim = new DDIMScheduler(sdConfig(dir, SchedulerConfig.Target.DDIM));
    ddim.setTimesteps(20);
    NDArray modelOutput = input("model_output");
    NDArray x = input("sample");

    for (int t : ddim.timesteps()) {
      NDArray eps = modelOutput.mul(manager.create(0.9f)).add(x.mul(manager.create(0.1f)));
      x = ddim.step(eps, t, x).prevSample();
    }

    assertClose("ddim20 loop", x, output("ddim20_loop_final_sample"));
  }

  @Test
  void ddimWithEtaIsReproducibleForASeedAndDiffersFromEtaZero(@TempDir Path dir)
      throws IOException {
    DDIMScheduler ddim = new DDIMScheduler(sdConfig(dir, SchedulerConfig.Target.DDIM));
    ddim.setTimesteps(20);
    NDArray eps = input("model_output");
    NDArray sample = input("sample");

    NDArray seeded = ddim.step(eps, 951, sample, 1.0, new GaussianNoise(42)).prevSample();
    NDArray again = ddim.step(eps, 951, sample, 1.0, new GaussianNoise(42)).prevSample();
    NDArray otherSeed = ddim.step(eps, 951, sample, 1.0, new GaussianNoise(43)).prevSample();
    NDArray deterministic = ddim.step(eps, 951, sample).prevSample();

    assertThat(seeded.toFloatArray()).containsExactly(again.toFloatArray());
    assertThat(MaxAbsError.of(seeded, otherSeed)).isGreaterThan(1e-3);
    assertThat(MaxAbsError.of(seeded, deterministic)).isGreaterThan(1e-3);
    assertThatThrownBy(() -> ddim.step(eps, 951, sample, 0.5, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eulerSigmasTimestepsAndFirstStepMatchDiffusers(@TempDir Path dir) throws IOException {
    EulerDiscreteScheduler euler =
        new EulerDiscreteScheduler(sdConfig(dir, SchedulerConfig.Target.EULER_DISCRETE));
    euler.setTimesteps(20);
    NDArray eps = input("model_output");
    NDArray sample = input("sample");

    assertClose("euler timesteps", manager.create(euler.timesteps()), output("euler20_timesteps"));
    assertClose("euler sigmas", manager.create(euler.sigmas()), output("euler20_sigmas"));
    assertClose(
        "euler init sigma",
        manager.create(new float[] {(float) euler.initNoiseSigma()}),
        output("euler20_init_noise_sigma"));
    assertClose(
        "euler scaled input",
        euler.scaleModelInput(sample, 0),
        output("euler20_scaled_model_input_first"));
    SchedulerOutput first = euler.step(eps, 0, sample);
    assertClose("euler first prev", first.prevSample(), output("euler20_step_first_prev_sample"));
    assertClose(
        "euler first x0",
        first.predOriginalSample(),
        output("euler20_step_first_pred_original_sample"));
  }

  @Test
  void eulerLeadingSpacingMatchesDiffusers(@TempDir Path dir) throws IOException {
    SchedulerConfig sd = sdConfig(dir, SchedulerConfig.Target.EULER_DISCRETE);
    EulerDiscreteScheduler euler = new EulerDiscreteScheduler(withSpacing(sd, "leading"));
    euler.setTimesteps(20);

    assertClose(
        "euler leading timesteps",
        manager.create(euler.timesteps()),
        output("euler20_leading_timesteps"));
    assertClose(
        "euler leading sigmas", manager.create(euler.sigmas()), output("euler20_leading_sigmas"));
  }

  @Test
  void configDefaultsFollowTheTargetClassAndRejectUnsupportedKeys(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("scheduler_config.json");
    Files.writeString(file, "{}");
    assertThat(SchedulerConfig.read(file, SchedulerConfig.Target.DDIM))
        .isEqualTo(
            new SchedulerConfig(
                1000, 0.0001, 0.02, "linear", "epsilon", true, 1.0, true, 0, "leading"));
    assertThat(SchedulerConfig.read(file, SchedulerConfig.Target.EULER_DISCRETE).timestepSpacing())
        .isEqualTo("linspace");

    Files.writeString(file, "{\"thresholding\": true}");
    assertThatThrownBy(() -> SchedulerConfig.read(file, SchedulerConfig.Target.DDIM))
        .hasMessageContaining("thresholding");
    Files.writeString(file, "{\"beta_schedule\": \"sigmoid\"}");
    assertThatThrownBy(() -> SchedulerConfig.read(file, SchedulerConfig.Target.DDIM))
        .hasMessageContaining("beta_schedule 'sigmoid'");
  }

  @Test
  void linearAndSquaredCosineBetasHaveTheirClosedForms() {
    SchedulerConfig linear =
        new SchedulerConfig(1000, 0.0001, 0.02, "linear", "epsilon", true, 1, true, 0, "leading");
    float[] betas = new DDPMScheduler(linear).betas();
    assertThat(betas[0]).isEqualTo(0.0001f);
    assertThat(betas[999]).isEqualTo(0.02f);
    assertThat((double) betas[500]).isCloseTo(0.0001 + 0.0199 * 500 / 999, within(1e-9));

    float[] cosine =
        new DDPMScheduler(
                new SchedulerConfig(
                    1000,
                    0.0001,
                    0.02,
                    "squaredcos_cap_v2",
                    "epsilon",
                    true,
                    1,
                    true,
                    0,
                    "leading"))
            .betas();
    double alphaBar0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
    double alphaBar1 = Math.pow(Math.cos((0.001 + 0.008) / 1.008 * Math.PI / 2), 2);
    assertThat((double) cosine[0]).isCloseTo(1 - alphaBar1 / alphaBar0, within(1e-9));
    assertThat(cosine[999]).isEqualTo(0.999f);
    assertThat(new Shape(cosine.length)).isEqualTo(new Shape(1000));
  }

  private static org.assertj.core.data.Offset<Double> within(double tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }
}
