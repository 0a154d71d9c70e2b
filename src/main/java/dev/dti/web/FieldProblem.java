package dev.dti.web;

/** One invalid input field, as listed in the {@code errors} extension of a problem response. */
public record FieldProblem(String field, String message) {}
