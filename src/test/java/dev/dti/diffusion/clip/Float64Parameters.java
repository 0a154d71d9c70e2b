package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.Init;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Another source's parameters widened to float64, for finite-difference checks: float32 scalars and
 * masks combine with float64 tensors by PyTorch's type promotion, so the model runs in float64.
 */
final class Float64Parameters implements Parameters {

  private final Parameters source;
  private final Map<String, NDArray> widened = new LinkedHashMap<>();

  Float64Parameters(Parameters source) {
    this.source = source;
  }

  @Override
  public NDArray get(String name, Shape shape, Init init) {
    NDArray array = source.get(name, shape, init).toType(DataType.FLOAT64, true);
    widened.put(name, array);
    return array;
  }

  @Override
  public boolean has(String name) {
    return source.has(name);
  }

  @Override
  public Map<String, NDArray> all() {
    return widened;
  }

  @Override
  public NDManager manager() {
    return source.manager();
  }

  @Override
  public Scalars scalars() {
    return source.scalars();
  }
}
