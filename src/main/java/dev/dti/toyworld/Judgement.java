package dev.dti.toyworld;

import java.util.List;

/**
 * What the {@link Judge} read from a picture: the background and, per region (the whole picture, or
 * the left and then the right half), the object's shape and colour.
 */
public record Judgement(Reading background, List<ObjectReading> objects) {

  public Judgement {
    objects = List.copyOf(objects);
  }

  /**
   * One attribute's value ({@link Judge#NONE} when there is nothing to read) and a confidence in
   * [0, 1]; see {@link Judge} for what the confidence of each attribute measures.
   */
  public record Reading(String value, double confidence) {

    static final Reading NOTHING = new Reading(Judge.NONE, 0);
  }

  /** The object found in one region; both readings are {@link Judge#NONE} if none was found. */
  public record ObjectReading(Reading shape, Reading colour) {

    static final ObjectReading NOTHING = new ObjectReading(Reading.NOTHING, Reading.NOTHING);

    public boolean found() {
      return !shape.value().equals(Judge.NONE);
    }
  }
}
