package dev.dti.diffusion.nn;

/** How a parameter is initialised when a model is built without a checkpoint. */
public enum Init {
  /** N(0, 1/fan_in): conv and linear weights, keeps activations at unit scale. */
  FAN_IN,
  /** N(0, 0.02²): embedding tables, as CLIP and GPT-2 initialise them. */
  EMBEDDING,
  /** 1: normalisation scales. */
  ONES,
  /** 0: biases and normalisation shifts. */
  ZEROS
}
