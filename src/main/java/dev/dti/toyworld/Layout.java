package dev.dti.toyworld;

/** Where a scene's objects are: one anywhere, or one in each half (left first). */
public enum Layout {
  SINGLE,
  PAIR
}
