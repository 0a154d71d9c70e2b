package dev.dti.concept;

import java.util.List;

/** A create request that passed every check, with defaults applied; ready to store. */
record NewConcept(
    String name,
    String token,
    String initializer,
    Hyperparameters hyperparameters,
    List<Image> images) {

  record Image(
      int position,
      String filename,
      String contentType,
      int width,
      int height,
      String caption,
      byte[] bytes) {}
}
