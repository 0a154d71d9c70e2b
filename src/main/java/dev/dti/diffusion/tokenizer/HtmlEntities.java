package dev.dti.diffusion.tokenizer;

import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.util.HtmlUtils;

/**
 * HTML character references decoded the way Python's {@code html.unescape} does (numeric references
 * with its Windows-1252 and invalid-code-point rules, names with or without the semicolon where
 * HTML5 allows it), and the stricter form ftfy applies (only references ending in a semicolon).
 *
 * <p>Names are looked up in Spring's HTML 4.01 table (252 entities), not HTML5's 2,231: an
 * HTML5-only name such as {@code &checkmark;} stays as written.
 */
final class HtmlEntities {

  /** Python's html module: {@code &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)}. */
  private static final Pattern REFERENCE =
      Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

  /** ftfy's HTML_ENTITY_RE: a reference must end in a semicolon. */
  private static final Pattern STRICT_REFERENCE = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

  /** Upper-case spellings HTML5 also defines. */
  private static final Set<String> UPPER_CASE_ALIASES =
      Set.of("AMP", "LT", "GT", "QUOT", "COPY", "REG");

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  private HtmlEntities() {}

  /** Python's html.unescape. */
  static String unescape(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    return REFERENCE.matcher(text).replaceAll(m -> Matcher.quoteReplacement(decode(m.group(1))));
  }

  /** ftfy's unescape_html: only complete, semicolon-terminated references. */
  static String unescapeStrict(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    return STRICT_REFERENCE
        .matcher(text)
        .replaceAll(
            m -> {
              String body = m.group().substring(1);
              String decoded = decode(body);
              return Matcher.quoteReplacement(decoded.endsWith(";") ? m.group() : decoded);
            });
  }

  private static String decode(String body) {
    if (body.startsWith("#")) {
      return numeric(body);
    }
    boolean terminated = body.endsWith(";");
    String name = terminated ? body.substring(0, body.length() - 1) : body;
    String exact = named(name, terminated);
    if (exact != null) {
      return exact;
    }
    // Python: the longest prefix that is a name valid without a semicolon, then the rest as text.
    for (int end = name.length() - 1; end > 1; end--) {
      String prefix = named(name.substring(0, end), false);
      if (prefix != null) {
        return prefix + body.substring(end);
      }
    }
    return "&" + body;
  }

  /** The character(s) a name stands for, or null; without semicolon only the legacy names. */
  private static String named(String name, boolean terminated) {
    String lookup = UPPER_CASE_ALIASES.contains(name) ? name.toLowerCase(Locale.ROOT) : name;
    String reference = "&" + lookup + ";";
    String decoded = HtmlUtils.htmlUnescape(reference);
    if (decoded.equals(reference)) {
      return null;
    }
    if (terminated) {
      return decoded;
    }
    // HTML5 accepts a missing semicolon only for the names HTML 3.2 knew: Latin-1 and & < > ".
    char c = decoded.charAt(0);
    boolean legacy = decoded.length() == 1 && (c >= 0xA0 && c <= 0xFF || "&<>\"".indexOf(c) >= 0);
    return legacy ? decoded : null;
  }

  /**
   * A C1 control read as the Windows-1252 byte it most likely was, as browsers, Python's html and
   * ftfy's "sloppy" codec do; the five bytes Windows-1252 leaves unassigned stay as they are.
   */
  static String windows1252(int c1Control) {
    String decoded = new String(new byte[] {(byte) c1Control}, WINDOWS_1252);
    return decoded.equals("\uFFFD") ? Character.toString(c1Control) : decoded;
  }

  private static String numeric(String body) {
    boolean hex = body.length() > 1 && (body.charAt(1) == 'x' || body.charAt(1) == 'X');
    String digits = body.substring(hex ? 2 : 1).replace(";", "");
    long code;
    try {
      code = Long.parseLong(digits, hex ? 16 : 10);
    } catch (NumberFormatException tooLong) {
      return "\uFFFD";
    }
    if (code == 0) {
      return "\uFFFD";
    }
    if (code == 0x0D) {
      return "\r";
    }
    if (code >= 0x80 && code <= 0x9F) {
      return windows1252((int) code);
    }
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return "\uFFFD";
    }
    if (isInvalidCodePoint((int) code)) {
      return "";
    }
    return Character.toString((int) code);
  }

  /** Python's html._invalid_codepoints (C0/C1 controls except tab, LF, FF, CR; non-characters). */
  private static boolean isInvalidCodePoint(int code) {
    return (code >= 0x1 && code <= 0x8)
        || code == 0xB
        || (code >= 0xE && code <= 0x1F)
        || (code >= 0x7F && code <= 0x9F)
        || (code >= 0xFDD0 && code <= 0xFDEF)
        || (code & 0xFFFE) == 0xFFFE;
  }
}
