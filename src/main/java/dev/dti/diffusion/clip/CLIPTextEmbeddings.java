package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.dti.diffusion.nn.Init;
import dev.dti.diffusion.nn.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Token plus position embeddings. Rows of the token table can be replaced by caller-owned arrays
 * (textual inversion): the frozen table is gathered, the placeholder positions are masked out and
 * the caller's rows are mixed in through a one-hot matrix product, so the gradient of the output
 * reaches exactly those rows.
 */
final class CLIPTextEmbeddings {

  private final CLIPTextConfig config;
  private final NDArray tokenEmbedding;
  private final NDArray positionEmbedding;
  private final NDArray one;

  CLIPTextEmbeddings(Parameters p, CLIPTextConfig config) {
    this.config = config;
    this.tokenEmbedding =
        p.get(
            "token_embedding.weight",
            new Shape(config.vocabSize(), config.hiddenSize()),
            Init.EMBEDDING);
    this.positionEmbedding =
        p.get(
            "position_embedding.weight",
            new Shape(config.maxPositionEmbeddings(), config.hiddenSize()),
            Init.EMBEDDING);
    this.one = p.scalars().of(1f);
  }

  /**
   * inputIds [B, T] int64; injectedRows maps a token id to its embedding row [hidden]. Ids at or
   * above vocab_size must have a row; ids below it with a row have their table row replaced.
   */
  NDArray forward(NDArray inputIds, Map<Integer, NDArray> injectedRows) {
    long seq = inputIds.getShape().get(1);
    if (seq > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "sequence of "
              + seq
              + " tokens exceeds max_position_embeddings "
              + config.maxPositionEmbeddings());
    }
    NDManager manager = inputIds.getManager();
    NDArray positionIds = manager.arange(0L, seq, 1L, DataType.INT64);
    NDArray positions =
        Embedding.embedding(positionIds, positionEmbedding, SparseFormat.DENSE).singletonOrThrow();
    return tokenEmbeddings(inputIds, injectedRows).add(positions);
  }

  private NDArray tokenEmbeddings(NDArray inputIds, Map<Integer, NDArray> injectedRows) {
    long[] ids = inputIds.toLongArray();
    if (injectedRows.isEmpty()) {
      checkInVocabulary(ids);
      return Embedding.embedding(inputIds, tokenEmbedding, SparseFormat.DENSE).singletonOrThrow();
    }
    List<Integer> injectedIds = new ArrayList<>(injectedRows.keySet());
    int k = injectedIds.size();
    long[] tableIds = new long[ids.length];
    float[] oneHot = new float[ids.length * k];
    for (int i = 0; i < ids.length; i++) {
      int slot = injectedIds.indexOf(Math.toIntExact(ids[i]));
      if (slot >= 0) {
        oneHot[i * k + slot] = 1f; // tableIds[i] stays 0: a valid row that the mask removes
      } else if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
        throw unknownToken(ids[i]);
      } else {
        tableIds[i] = ids[i];
      }
    }
    NDManager manager = inputIds.getManager();
    Shape shape = inputIds.getShape();
    DataType dtype = tokenEmbedding.getDataType();
    NDArray selector =
        manager.create(oneHot, new Shape(shape.get(0), shape.get(1), k)).toType(dtype, false);
    NDArray kept = selector.sum(new int[] {2}, true).neg().add(one);
    NDArray gathered =
        Embedding.embedding(manager.create(tableIds, shape), tokenEmbedding, SparseFormat.DENSE)
            .singletonOrThrow();
    NDArray rows = NDArrays.stack(new NDList(rowsInOrder(injectedIds, injectedRows)));
    rows.attach(manager); // the stack lands in the rows' (long-lived) manager otherwise
    return gathered.mul(kept).add(selector.matMul(rows));
  }

  private NDArray[] rowsInOrder(List<Integer> ids, Map<Integer, NDArray> injectedRows) {
    NDArray[] rows = new NDArray[ids.size()];
    for (int i = 0; i < rows.length; i++) {
      NDArray row = injectedRows.get(ids.get(i));
      if (!row.getShape().equals(new Shape(config.hiddenSize()))) {
        throw new IllegalArgumentException(
            "embedding row for token "
                + ids.get(i)
                + " has shape "
                + row.getShape()
                + ", expected ("
                + config.hiddenSize()
                + ")");
      }
      rows[i] = row;
    }
    return rows;
  }

  private void checkInVocabulary(long[] ids) {
    for (long id : ids) {
      if (id < 0 || id >= config.vocabSize()) {
        throw unknownToken(id);
      }
    }
  }

  private IllegalArgumentException unknownToken(long id) {
    return new IllegalArgumentException(
        "token id "
            + id
            + " is outside the vocabulary (size "
            + config.vocabSize()
            + ") and no embedding row was given for it");
  }
}
