package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.dti.diffusion.nn.LayerNorm;
import dev.dti.diffusion.nn.Parameters;
import java.util.List;
import java.util.Map;

/** transformers' CLIPTextTransformer: embeddings, causal encoder, final_layer_norm, pooling. */
final class CLIPTextTransformer {

  private final CLIPTextConfig config;
  private final CLIPTextEmbeddings embeddings;
  private final CLIPEncoder encoder;
  private final LayerNorm finalLayerNorm;
  private final NDArray maskedScore;

  CLIPTextTransformer(Parameters p, CLIPTextConfig config) {
    this.config = config;
    this.embeddings = new CLIPTextEmbeddings(p.sub("embeddings"), config);
    this.encoder = new CLIPEncoder(p.sub("encoder"), config);
    this.finalLayerNorm =
        new LayerNorm(p.sub("final_layer_norm"), config.hiddenSize(), config.layerNormEps());
    // torch.finfo(float32).min, as transformers fills the causal mask: finite, so no NaN appears.
    this.maskedScore = p.scalars().of(-Float.MAX_VALUE);
  }

  CLIPTextOutput forward(NDArray inputIds, Map<Integer, NDArray> injectedRows) {
    NDArray hidden = embeddings.forward(inputIds, injectedRows);
    List<NDArray> hiddenStates = encoder.forward(hidden, causalMask(inputIds));
    NDArray last = finalLayerNorm.forward(hiddenStates.getLast());
    return new CLIPTextOutput(last, hiddenStates, pool(last, inputIds));
  }

  NDArray finalLayerNorm(NDArray hidden) {
    return finalLayerNorm.forward(hidden);
  }

  /** [T, T] with 0 on and below the diagonal and finfo.min above it (a token sees no future). */
  private NDArray causalMask(NDArray inputIds) {
    long seq = inputIds.getShape().get(1);
    NDArray positions = inputIds.getManager().arange(0L, seq, 1L, DataType.INT64);
    NDArray future = positions.expandDims(0).gt(positions.expandDims(1));
    return future.toType(DataType.FLOAT32, false).mul(maskedScore);
  }

  private NDArray pool(NDArray last, NDArray inputIds) {
    int[] positions = pooledIndices(inputIds);
    NDList rows = new NDList();
    for (int b = 0; b < positions.length; b++) {
      rows.add(last.get(new NDIndex("{}, {}", b, positions[b])));
    }
    return NDArrays.stack(rows);
  }

  /** The pooled position of each sequence of inputIds [B, T]. */
  int[] pooledIndices(NDArray inputIds) {
    int batch = Math.toIntExact(inputIds.getShape().get(0));
    int seq = Math.toIntExact(inputIds.getShape().get(1));
    long[] ids = inputIds.toLongArray();
    int[] positions = new int[batch];
    for (int b = 0; b < batch; b++) {
      positions[b] = pooledIndex(ids, b * seq, seq);
    }
    return positions;
  }

  private int pooledIndex(long[] ids, int offset, int seq) {
    int best = 0;
    for (int t = 0; t < seq; t++) {
      long id = ids[offset + t];
      if (config.legacyPooling() ? id > ids[offset + best] : id == config.eosTokenId()) {
        best = t;
        if (!config.legacyPooling()) {
          break;
        }
      }
    }
    return best;
  }
}
