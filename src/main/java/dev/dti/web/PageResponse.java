package dev.dti.web;

import java.util.List;
import java.util.function.Function;

/** One page of a collection; {@code page} is 0-based. */
public record PageResponse<T>(List<T> items, int page, int size, long totalItems, int totalPages) {

  public <R> PageResponse<R> map(Function<T, R> mapper) {
    return new PageResponse<>(
        items.stream().map(mapper).toList(), page, size, totalItems, totalPages);
  }
}
