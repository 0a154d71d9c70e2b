package dev.dti.toyworld;

import java.util.Arrays;
import java.util.function.Function;

/** Looks up a toy-world enum constant by the word that captions and commands use for it. */
final class Words {

  private Words() {}

  static <E> E lookup(E[] values, Function<E, String> word, String wanted, String kind) {
    return Arrays.stream(values)
        .filter(v -> word.apply(v).equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown "
                        + kind
                        + " '"
                        + wanted
                        + "'; known: "
                        + Arrays.stream(values).map(word).toList()));
  }
}
