package dev.backfill.protocol.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job's parameters as one text and its hash, the part of a result's key that tells two runs of
 * one processor version apart. The text is the parameters as a JSON object in the JSON
 * Canonicalization Scheme (RFC 8785) for an object of strings: keys sorted by UTF-16 code units,
 * no whitespace, only the escapes JSON requires. Values are taken as given: a processor that
 * accepts one value spelled several ways makes them equal first (its {@code canonicalParameters}).
 *
 * <p>The hash is stored in every result row's key: changing this encoding would make every result
 * written before look absent, and every call be computed again.
 */
public final class CanonicalParameters {

  private CanonicalParameters() {}

  /** {@code {"a":"1","b":"2"}} whatever the map's order; {@code {}} for none (null included). */
  public static String text(Map<String, String> parameters) {
    if (parameters == null || parameters.isEmpty()) {
      return "{}";
    }
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, String> entry : new TreeMap<>(parameters).entrySet()) {
      if (json.length() > 1) {
        json.append(',');
      }
      appendString(json, entry.getKey());
      json.append(':');
      if (entry.getValue() == null) {
        json.append("null");
      } else {
        appendString(json, entry.getValue());
      }
    }
    return json.append('}').toString();
  }

  /** The SHA-256 of {@link #text}'s UTF-8 bytes, as 64 lower-case hex digits. */
  public static String hash(Map<String, String> parameters) {
    return hashOfText(text(parameters));
  }

  /** The hash of a text made by {@link #text}, e.g. one read back from a result row. */
  public static String hashOfText(String canonicalText) {
    byte[] digest = sha256().digest(canonicalText.getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder(digest.length * 2);
    for (byte b : digest) {
      hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return hex.toString();
  }

  /**
   * A JSON string as RFC 8785 writes it. A lone surrogate (which RFC 8785 does not accept) is
   * escaped rather than encoded: UTF-8 would turn every one of them into the same '?', and two
   * different values into one hash.
   */
  private static void appendString(StringBuilder json, String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20 || isLoneSurrogate(value, i)) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }

  private static boolean isLoneSurrogate(String value, int i) {
    char c = value.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(value.charAt(i - 1));
    }
    return false;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
