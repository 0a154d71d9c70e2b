package dev.dti.concept;

import dev.dti.embedding.TrainingMethod;
import java.util.regex.Pattern;

/**
 * Every limit and default of a training request, in one place: the validator, the OpenAPI schema
 * (through {@link CreateConceptForm}'s annotations) and docs/api.md all read them from here.
 */
public final class TrainingDefaults {

  public static final int MIN_IMAGES = 2;
  public static final int MAX_IMAGES = 20;

  public static final int MAX_NAME_LENGTH = 100;
  public static final int MAX_INITIALIZER_LENGTH = 50;
  public static final int MAX_CAPTION_LENGTH = 200;

  /** A placeholder token such as {@code <my-rabbit>}: lower-case letters, digits, '_' and '-'. */
  public static final String TOKEN_REGEX = "^<[a-z0-9][a-z0-9_-]{0,38}>$";

  public static final Pattern TOKEN = Pattern.compile(TOKEN_REGEX);

  /** One or more words of ASCII letters separated by single spaces, e.g. {@code rabbit}. */
  public static final String INITIALIZER_REGEX = "^[A-Za-z]+( [A-Za-z]+)*$";

  public static final Pattern INITIALIZER = Pattern.compile(INITIALIZER_REGEX);

  public static final int MIN_STEPS = 1;
  public static final int MAX_STEPS = 5000;
  public static final int DEFAULT_STEPS = 400;

  public static final double MAX_LEARNING_RATE = 1.0;

  /** DTI's learning rate is an angle per step on the sphere; TI's is an AdamW step size. */
  public static final double DEFAULT_LEARNING_RATE_DTI = 0.01;

  public static final double DEFAULT_LEARNING_RATE_TI = 0.005;

  public static final double MAX_KAPPA = 1.0;

  /** Weight of DTI's von Mises–Fisher prior pulling the direction towards the initializer. */
  public static final double DEFAULT_KAPPA = 1e-4;

  public static final int MIN_BATCH_SIZE = 1;
  public static final int MAX_BATCH_SIZE = 16;
  public static final int DEFAULT_BATCH_SIZE = 4;

  /**
   * AdamW's decoupled weight decay of TI, as text for {@code dti.training.ti-weight-decay}'s
   * default: diffusers' textual_inversion.py default ({@code --adam_weight_decay 1e-2}).
   */
  public static final String DEFAULT_TI_WEIGHT_DECAY_TEXT = "0.01";

  public static final double DEFAULT_TI_WEIGHT_DECAY =
      Double.parseDouble(DEFAULT_TI_WEIGHT_DECAY_TEXT);

  /**
   * Whether the learning rate is multiplied by the batch size when a request does not say: off for
   * SD 1.x/2.x; on for SDXL, as the DTI authors' SDXL script trains (400 steps, batch 4, lr 0.01
   * with scale_lr, κ 1e-4, at the model's resolution), so the effective DTI rate there is {@value
   * #DEFAULT_LEARNING_RATE_DTI} × 4 = 0.04 and TI's {@value #DEFAULT_LEARNING_RATE_TI} × 4 = 0.02.
   */
  public static final boolean DEFAULT_SCALE_LR = false;

  public static final boolean DEFAULT_SCALE_LR_SDXL = true;

  public static final int MIN_VECTORS = 1;
  public static final int MAX_VECTORS = 8;

  /** Random seeds stay below 2^53 so that JavaScript clients read them exactly. */
  public static final long MAX_RANDOM_SEED = 1L << 53;

  private TrainingDefaults() {}

  /** The scaleLr of a request that does not set it, for an SDXL base model or another. */
  public static boolean defaultScaleLr(boolean sdxl) {
    return sdxl ? DEFAULT_SCALE_LR_SDXL : DEFAULT_SCALE_LR;
  }

  public static double defaultLearningRate(TrainingMethod method) {
    return method == TrainingMethod.DTI ? DEFAULT_LEARNING_RATE_DTI : DEFAULT_LEARNING_RATE_TI;
  }
}
