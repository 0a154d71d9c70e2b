package dev.dti.diffusion.scheduler;

import ai.djl.ndarray.NDArray;

/** One denoising step's result: x_{t−1}, and the model's estimate of x_0 at this step. */
public record SchedulerOutput(NDArray prevSample, NDArray predOriginalSample) {}
