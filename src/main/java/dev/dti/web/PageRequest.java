package dev.dti.web;

import java.util.ArrayList;
import java.util.List;

/** Validated {@code page} (0-based) and {@code size} query parameters. */
public record PageRequest(int page, int size) {

  public static final int DEFAULT_SIZE = 20;
  public static final int MAX_SIZE = 100;

  public static PageRequest of(int page, int size) {
    List<FieldProblem> errors = new ArrayList<>();
    if (page < 0) {
      errors.add(new FieldProblem("page", "must be 0 or more (pages are numbered from 0)"));
    }
    if (size < 1 || size > MAX_SIZE) {
      errors.add(new FieldProblem("size", "must be between 1 and " + MAX_SIZE));
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.invalidFields(errors);
    }
    return new PageRequest(page, size);
  }

  public int offset() {
    return Math.toIntExact(Math.min((long) page * size, Integer.MAX_VALUE));
  }

  public <T> PageResponse<T> response(List<T> items, long totalItems) {
    int totalPages = (int) ((totalItems + size - 1) / size);
    return new PageResponse<>(items, page, size, totalItems, totalPages);
  }
}
