package dev.dti.diffusion.tokenizer;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The text openai's CLIP tokenizer hands to BPE: {@code
 * whitespace_clean(basic_clean(text)).lower()}, where basic_clean is ftfy.fix_text, html.unescape
 * twice and strip.
 *
 * <p>Of ftfy 6.1.1's fix_text this reproduces every step except fix_encoding (mojibake detection,
 * e.g. "cafÃ©" → "café", which needs ftfy's statistical badness model): HTML references while the
 * text has no '&lt;', C1 controls as Windows-1252, Latin ligatures, full/half-width forms, curly
 * quotes, line breaks, terminal escapes, control characters, then NFC — repeated until nothing
 * changes, line by line, as ftfy does.
 */
final class TextCleaner {

  /** ftfy.chardata.LIGATURES (v6.1.1). */
  private static final Map<Integer, String> LIGATURES =
      Map.ofEntries(
          Map.entry(0x0132, "IJ"),
          Map.entry(0x0133, "ij"),
          Map.entry(0x0149, "\u02BCn"),
          Map.entry(0x01F1, "DZ"),
          Map.entry(0x01F2, "Dz"),
          Map.entry(0x01F3, "dz"),
          Map.entry(0x01C4, "D\u017D"),
          Map.entry(0x01C5, "D\u017E"),
          Map.entry(0x01C6, "d\u017E"),
          Map.entry(0x01C7, "LJ"),
          Map.entry(0x01C8, "Lj"),
          Map.entry(0x01C9, "lj"),
          Map.entry(0x01CA, "NJ"),
          Map.entry(0x01CB, "Nj"),
          Map.entry(0x01CC, "nj"),
          Map.entry(0xFB00, "ff"),
          Map.entry(0xFB01, "fi"),
          Map.entry(0xFB02, "fl"),
          Map.entry(0xFB03, "ffi"),
          Map.entry(0xFB04, "ffl"),
          Map.entry(0xFB05, "\u017Ft"),
          Map.entry(0xFB06, "st"));

  private static final Pattern SINGLE_QUOTES = Pattern.compile("[\u02BC\u2018-\u201B]");
  private static final Pattern DOUBLE_QUOTES = Pattern.compile("[\u201C-\u201F]");
  private static final Pattern LINE_BREAKS = Pattern.compile("\r\n|[\r\u2028\u2029\u0085]");
  private static final Pattern TERMINAL_ESCAPES = Pattern.compile("\u001B\\[[0-9;]*[a-zA-Z]");

  /** Python's str.isspace() set: Unicode White_Space plus the separators U+001C..U+001F. */
  private static final Pattern WHITESPACE =
      Pattern.compile("[\\s\\x1C-\\x1F]+", Pattern.UNICODE_CHARACTER_CLASS);

  private TextCleaner() {}

  static String clean(String text) {
    String fixed = HtmlEntities.unescape(HtmlEntities.unescape(fixText(text)));
    return WHITESPACE.matcher(fixed).replaceAll(" ").strip().toLowerCase(Locale.ROOT);
  }

  /** ftfy.fix_text without fix_encoding. */
  static String fixText(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean unescapeHtml = true;
    int pos = 0;
    while (pos < text.length()) {
      int lineEnd = text.indexOf('\n', pos);
      int end = lineEnd < 0 ? text.length() : lineEnd + 1;
      String segment = text.substring(pos, end);
      // ftfy's "auto": once a segment looks like HTML markup, entities are left to the markup.
      unescapeHtml &= segment.indexOf('<') < 0;
      out.append(fixSegment(segment, unescapeHtml));
      pos = end;
    }
    return out.toString();
  }

  private static String fixSegment(String segment, boolean unescapeHtml) {
    String text = segment;
    while (true) {
      String before = text;
      if (unescapeHtml) {
        text = HtmlEntities.unescapeStrict(text);
      }
      text = mapCodePoints(text);
      text = SINGLE_QUOTES.matcher(text).replaceAll("'");
      text = DOUBLE_QUOTES.matcher(text).replaceAll("\"");
      text = LINE_BREAKS.matcher(text).replaceAll("\n");
      text = TERMINAL_ESCAPES.matcher(text).replaceAll("");
      text = removeControlCharacters(text);
      text = Normalizer.normalize(text, Normalizer.Form.NFC);
      if (text.equals(before)) {
        return text;
      }
    }
  }

  /** fix_c1_controls, fix_latin_ligatures and fix_character_width, each a per-character map. */
  private static String mapCodePoints(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              if (c >= 0x80 && c <= 0x9F) {
                out.append(HtmlEntities.windows1252(c));
              } else if (LIGATURES.containsKey(c)) {
                out.append(LIGATURES.get(c));
              } else if (c == 0x3000) {
                out.append(' ');
              } else if (c >= 0xFF01 && c < 0xFFF0) {
                out.append(Normalizer.normalize(Character.toString(c), Normalizer.Form.NFKC));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  /** ftfy's remove_control_chars (v6.1.1 ranges); tab, LF, FF and CR stay. */
  private static String removeControlCharacters(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .filter(
            c ->
                !((c <= 0x08)
                    || c == 0x0B
                    || (c >= 0x0E && c <= 0x1F)
                    || c == 0x7F
                    || (c >= 0x206A && c <= 0x206F)
                    || c == 0xFEFF
                    || (c >= 0xFFF9 && c <= 0xFFFC)))
        .forEach(out::appendCodePoint);
    return out.toString();
  }
}
