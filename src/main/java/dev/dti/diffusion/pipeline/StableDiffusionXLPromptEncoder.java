package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link TextConditioning} of SDXL, as diffusers' {@code
 * StableDiffusionXLPipeline.encode_prompt}: the prompt goes through both tokenizers (each padding
 * with its own pad id) and both text encoders; the UNet is conditioned on both penultimate hidden
 * states, concatenated, and on text_encoder_2's pooled {@code text_embeds} (see {@link
 * StableDiffusionModel#encode}). An absent negative prompt gives exact zeros when the model index
 * sets {@code force_zeros_for_empty_prompt}; an explicit {@code ""} is encoded like any prompt.
 * Time ids are added by the sampler, which knows the image size. Learned concepts take part per
 * encoder through {@link #withConcepts}.
 */
public final class StableDiffusionXLPromptEncoder implements TextConditioning {

  private final StableDiffusionModel model;
  private final Map<String, CLIPTokenizer> tokenizers;
  private final Map<String, Map<Integer, NDArray>> injected;

  private StableDiffusionXLPromptEncoder(
      StableDiffusionModel model,
      Map<String, CLIPTokenizer> tokenizers,
      Map<String, Map<Integer, NDArray>> injected) {
    this.model = model;
    this.tokenizers = tokenizers;
    this.injected = injected;
  }

  /**
   * An encoder whose prompts may use the given concept tokens: each token is registered on a copy
   * of each encoder's tokenizer with one id per row of that encoder, and the rows (created in
   * {@code manager}) replace those ids' embeddings in that encoder. Every concept needs rows for
   * every text encoder.
   */
  public static StableDiffusionXLPromptEncoder withConcepts(
      StableDiffusionModel model,
      Map<String, Map<String, float[][]>> conceptRows,
      NDManager manager) {
    if (!model.isXL()) {
      throw new IllegalArgumentException("not an SDXL model: it has one text encoder");
    }
    Map<String, CLIPTokenizer> tokenizers = new LinkedHashMap<>();
    Map<String, Map<Integer, NDArray>> injected = new HashMap<>();
    for (String encoder : model.textEncoderNames()) {
      CLIPTokenizer tokenizer = model.tokenizer(encoder).withoutPlaceholders();
      Map<Integer, NDArray> rowsById = new HashMap<>();
      conceptRows.forEach(
          (token, perEncoder) -> {
            float[][] rows = perEncoder.get(encoder);
            if (rows == null || rows.length == 0) {
              throw new IllegalArgumentException(
                  "concept " + token + " has no rows for text encoder '" + encoder + "'");
            }
            List<Integer> ids = tokenizer.addPlaceholderToken(token, rows.length);
            for (int k = 0; k < rows.length; k++) {
              rowsById.put(ids.get(k), manager.create(rows[k]));
            }
          });
      tokenizers.put(encoder, tokenizer);
      injected.put(encoder, rowsById);
    }
    return new StableDiffusionXLPromptEncoder(model, tokenizers, injected);
  }

  /** The padded ids [1, max_length] of {@code prompt} for each encoder's tokenizer. */
  public Map<String, NDArray> inputIds(String prompt, NDManager manager) {
    Map<String, NDArray> ids = new LinkedHashMap<>();
    tokenizers.forEach(
        (encoder, tokenizer) -> {
          long[] padded = Arrays.stream(tokenizer.encodePadded(prompt)).asLongStream().toArray();
          ids.put(encoder, manager.create(padded).reshape(1, padded.length));
        });
    return ids;
  }

  @Override
  public Conditioning encode(String prompt, NDManager manager) {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must be given");
    }
    Conditioning conditioning = model.encode(inputIds(prompt, manager), injected);
    conditioning.hiddenStates().attach(manager);
    conditioning.textEmbeds().attach(manager);
    return conditioning;
  }

  /**
   * {@code null} with {@code force_zeros_for_empty_prompt}: zeros shaped like a prompt's
   * conditioning ([1, T, C₁ + C₂] and [1, projection_dim]); else the prompt ({@code ""} when
   * absent) encoded.
   */
  @Override
  public Conditioning encodeNegative(String negativePrompt, NDManager manager) {
    if (negativePrompt == null && model.forceZerosForEmptyPrompt()) {
      int length = tokenizers.get(StableDiffusionModel.TEXT_ENCODER).maxLength();
      int width = model.textEncoderNames().stream().mapToInt(model::hiddenSize).sum();
      int pooled = model.textEncoder2().config().projectionDim();
      return new Conditioning(
          manager.zeros(new Shape(1, length, width), DataType.FLOAT32),
          manager.zeros(new Shape(1, pooled), DataType.FLOAT32),
          null);
    }
    return encode(negativePrompt == null ? "" : negativePrompt, manager);
  }
}
