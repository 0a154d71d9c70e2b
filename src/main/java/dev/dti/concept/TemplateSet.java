package dev.dti.concept;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Which prompt templates training uses: "a photo of a {token}" or "a painting in the style of". */
public enum TemplateSet {
  OBJECT,
  STYLE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<TemplateSet> fromWireName(String value) {
    return Arrays.stream(values()).filter(t -> t.wireName().equals(value)).findFirst();
  }
}
