package dev.backfill.engine.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.SpeakerRole;
import dev.backfill.protocol.call.Utterance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How often each side says each of the job's keywords. Keywords come from the {@code keywords}
 * parameter (comma-separated); matching ignores case and only counts whole words, so "price" does
 * not count inside "priceless". A keyword may be a phrase; its words then match across any run of
 * whitespace, since transcripts do not keep spacing meaningful.
 */
public final class KeywordTrackerProcessor implements Processor {

  /** How many times one keyword was said by each side. */
  public record Counts(@JsonProperty("rep") long rep, @JsonProperty("customer") long customer) {}

  static final String KEYWORDS = "keywords";
  static final int MAX_KEYWORDS = 50;
  static final int MAX_KEYWORD_LENGTH = 64;

  /** A letter, digit, combining mark or underscore: what a whole-word match must not touch. */
  private static final String WORD_CHAR = "[\\p{L}\\p{M}\\p{N}_]";

  public KeywordTrackerProcessor() {}

  @Override
  public String id() {
    return "keyword-tracker";
  }

  @Override
  public int version() {
    return 1;
  }

  @Override
  public String description() {
    return "Whole-word, case-insensitive mentions of each of parameters.keywords, per side.";
  }

  @Override
  public List<String> validate(Map<String, String> parameters) {
    List<String> problems = new ArrayList<>();
    // Sorted so the same bad job always gets the same messages, whatever map it arrived in.
    parameters.keySet().stream()
        .filter(name -> !KEYWORDS.equals(name))
        .sorted()
        .forEach(name -> problems.add("parameters." + name + ": unknown parameter"));
    String raw = parameters.get(KEYWORDS);
    List<String> keywords = parse(raw);
    if (keywords.isEmpty()) {
      problems.add("parameters.keywords: required, a comma-separated list");
      return problems;
    }
    if (keywords.size() > MAX_KEYWORDS) {
      problems.add(
          "parameters.keywords: at most " + MAX_KEYWORDS + " keywords, got " + keywords.size());
    }
    for (int i = 0; i < keywords.size(); i++) {
      int length = keywords.get(i).length();
      if (length > MAX_KEYWORD_LENGTH) {
        problems.add(
            "parameters.keywords: keyword "
                + (i + 1)
                + " has "
                + length
                + " characters, at most "
                + MAX_KEYWORD_LENGTH);
      }
    }
    return problems;
  }

  /**
   * The keywords as {@link #parse} reads them (trimmed, spaces collapsed, lower-cased, each once),
   * sorted and joined with bare commas: " Price,budget" and "budget, price,price" are one
   * computation. Sorted because the order changes nothing but the order of the result's keys, and
   * a JSON object's keys have none. Without keywords the parameters stay as given, and so do
   * parameters it does not know: {@link #validate} refuses both as before.
   */
  @Override
  public Map<String, String> canonicalParameters(Map<String, String> parameters) {
    List<String> keywords = parse(parameters.get(KEYWORDS));
    if (keywords.isEmpty()) {
      return parameters;
    }
    Map<String, String> canonical = new HashMap<>(parameters);
    canonical.put(KEYWORDS, String.join(",", keywords.stream().sorted().toList()));
    return Map.copyOf(canonical);
  }

  @Override
  public Object process(Call call, Map<String, String> parameters) {
    // validate() already ran when the job was submitted; checking again costs little and stops a
    // job that skipped it. Bad parameters are the job's fault, not the call's, hence not
    // MalformedCallException, which would record every call as permanently failed.
    List<String> problems = validate(parameters);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    List<Utterance> utterances = TranscriptChecks.utterances(call);
    // Insertion order is the order given (sorted, as the engine gives canonicalParameters), which
    // Jackson keeps when writing the map.
    Map<String, Counts> result = new LinkedHashMap<>();
    for (String keyword : parse(parameters.get(KEYWORDS))) {
      // Compiled per call rather than cached, so the processor holds no state at all.
      Pattern pattern = pattern(keyword);
      long rep = 0;
      long customer = 0;
      for (Utterance u : utterances) {
        long n = count(pattern, u.text());
        if (u.role() == SpeakerRole.REP) {
          rep += n;
        } else {
          customer += n;
        }
      }
      result.put(keyword, new Counts(rep, customer));
    }
    return Collections.unmodifiableMap(result);
  }

  /**
   * The keywords as they will be reported: trimmed, inner whitespace collapsed to one space,
   * lower-cased, empty entries (e.g. from "a,,b") dropped and repeats kept once, in the order
   * given. Empty when the parameter is missing or blank.
   */
  static List<String> parse(String raw) {
    if (raw == null) {
      return List.of();
    }
    Set<String> keywords = new LinkedHashSet<>();
    for (String piece : raw.split(",")) {
      String keyword = piece.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
      if (!keyword.isEmpty()) {
        keywords.add(keyword);
      }
    }
    return List.copyOf(keywords);
  }

  /**
   * Each word quoted (keywords are text, not regexes), words joined by any whitespace, and the
   * whole bounded by look-arounds instead of \b so that keywords starting or ending in punctuation,
   * like "c++", still match as whole words.
   */
  private static Pattern pattern(String keyword) {
    StringBuilder regex = new StringBuilder("(?<!").append(WORD_CHAR).append(')');
    String[] words = keyword.split(" ");
    for (int i = 0; i < words.length; i++) {
      if (i > 0) {
        regex.append("\\s+");
      }
      regex.append(Pattern.quote(words[i]));
    }
    regex.append("(?!").append(WORD_CHAR).append(')');
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  }

  private static long count(Pattern pattern, String text) {
    if (text == null) {
      return 0;
    }
    long n = 0;
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      n++;
    }
    return n;
  }
}
