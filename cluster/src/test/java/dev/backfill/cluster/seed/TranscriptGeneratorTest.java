package dev.backfill.cluster.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.backfill.protocol.call.SpeakerRole;
import dev.backfill.protocol.call.Transcript;
import dev.backfill.protocol.call.Utterance;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TranscriptGeneratorTest {

  private static final int TWENTY_MINUTES = 20 * 60;
  private static final ObjectWriter JSON = new ObjectMapper().writerFor(Transcript.class);

  private final TranscriptGenerator generator = new TranscriptGenerator();

  @Test
  void theSameRandomStateGivesTheSameJson() throws Exception {
    for (long seed = 0; seed < 20; seed++) {
      String first = JSON.writeValueAsString(generator.generate(new SplittableRandom(seed), 900));
      String second = JSON.writeValueAsString(generator.generate(new SplittableRandom(seed), 900));
      assertEquals(first, second, "seed " + seed);
    }
  }

  @Test
  void differentRandomStatesGiveDifferentTranscripts() throws Exception {
    Set<String> distinct = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      distinct.add(JSON.writeValueAsString(generator.generate(new SplittableRandom(seed), 600)));
    }
    assertEquals(20, distinct.size());
  }

  @Test
  void utterancesAreOrderedNeverOverlapAndStayInsideTheCall() {
    SplittableRandom durations = new SplittableRandom(1);
    for (long seed = 0; seed < 300; seed++) {
      int duration = durations.nextInt(3_601);
      List<Utterance> utterances = generate(seed, duration);
      long previousStart = -1;
      long previousEnd = 0;
      for (int i = 0; i < utterances.size(); i++) {
        Utterance u = utterances.get(i);
        String where = "seed " + seed + ", utterance " + i + ": " + u;
        assertTrue(u.endMs() > u.startMs(), where);
        assertTrue(u.startMs() >= previousStart, where);
        assertTrue(u.startMs() >= previousEnd, "no overlap, " + where);
        assertTrue(u.endMs() <= duration * 1_000L, where);
        previousStart = u.startMs();
        previousEnd = u.endMs();
      }
    }
  }

  @Test
  void pausesBetweenUtterancesLastFromAFifthOfASecondToThreeSeconds() {
    for (long seed = 0; seed < 100; seed++) {
      List<Utterance> utterances = generate(seed, TWENTY_MINUTES);
      for (int i = 1; i < utterances.size(); i++) {
        long pause = utterances.get(i).startMs() - utterances.get(i - 1).endMs();
        assertTrue(pause >= 200 && pause <= 3_000, "seed " + seed + ", pause " + pause);
      }
    }
  }

  @Test
  void utterancesFillTheCall() {
    for (long seed = 0; seed < 200; seed++) {
      int duration = 60 + (int) (seed * 17 % 3_540);
      List<Utterance> utterances = generate(seed, duration);
      assertTrue(utterances.get(0).startMs() <= 3_000, "seed " + seed);
      long silenceAtTheEnd = duration * 1_000L - utterances.get(utterances.size() - 1).endMs();
      assertTrue(silenceAtTheEnd < 4_000, "seed " + seed + ": " + silenceAtTheEnd + " ms");
    }
  }

  @Test
  void bothRolesSpeakInEveryCallLongerThanTwoMinutes() {
    for (long seed = 0; seed < 500; seed++) {
      int duration = 121 + (int) (seed * 31 % 3_480);
      Set<SpeakerRole> roles = new HashSet<>();
      generate(seed, duration).forEach(u -> roles.add(u.role()));
      assertEquals(Set.of(SpeakerRole.REP, SpeakerRole.CUSTOMER), roles, "seed " + seed);
    }
  }

  @Test
  void castsHaveOneOrTwoRepsAndOneToThreeCustomersNoNameOnBothSides() {
    Set<Integer> repCounts = new HashSet<>();
    Set<Integer> customerCounts = new HashSet<>();
    for (long seed = 0; seed < 300; seed++) {
      Map<String, SpeakerRole> roleOf = new HashMap<>();
      for (Utterance u : generate(seed, TWENTY_MINUTES)) {
        SpeakerRole before = roleOf.putIfAbsent(u.speaker(), u.role());
        assertTrue(before == null || before == u.role(), "seed " + seed + ": " + u.speaker());
      }
      repCounts.add((int) roleOf.values().stream().filter(r -> r == SpeakerRole.REP).count());
      customerCounts.add(
          (int) roleOf.values().stream().filter(r -> r == SpeakerRole.CUSTOMER).count());
    }
    assertEquals(Set.of(1, 2), repCounts);
    assertEquals(Set.of(1, 2, 3), customerCounts);
  }

  @Test
  void repsTalkFiftyFiveToSeventyPercentOfTheTime() {
    long repMs = 0;
    long totalMs = 0;
    for (long seed = 0; seed < 200; seed++) {
      long callRep = 0;
      long callTotal = 0;
      for (Utterance u : generate(seed, TWENTY_MINUTES)) {
        callTotal += u.durationMs();
        callRep += u.role() == SpeakerRole.REP ? u.durationMs() : 0;
      }
      double share = (double) callRep / callTotal;
      // One call may drift (a customer's long monologue), but never turn the call around.
      assertTrue(share > 0.40 && share < 0.85, "seed " + seed + ": " + share);
      repMs += callRep;
      totalMs += callTotal;
    }
    double share = (double) repMs / totalMs;
    assertTrue(share >= 0.55 && share <= 0.70, "average rep share " + share);
  }

  @Test
  void longMonologuesHappenButStayBounded() {
    int callsWithMonologue = 0;
    for (long seed = 0; seed < 200; seed++) {
      long longest = longestRunBySameSpeaker(generate(seed, TWENTY_MINUTES));
      assertTrue(longest <= 240_000, "seed " + seed + ": " + longest + " ms");
      callsWithMonologue += longest >= 40_000 ? 1 : 0;
    }
    assertTrue(callsWithMonologue >= 100, callsWithMonologue + " of 200 calls");
  }

  @Test
  void textIsWholeSentencesAndSomeAreQuestions() {
    for (long seed = 0; seed < 100; seed++) {
      int questions = 0;
      for (Utterance u : generate(seed, TWENTY_MINUTES)) {
        String text = u.text();
        assertTrue(Character.isUpperCase(text.charAt(0)), "seed " + seed + ": " + text);
        char last = text.charAt(text.length() - 1);
        assertTrue(last == '.' || last == '?', "seed " + seed + ": " + text);
        questions += last == '?' ? 1 : 0;
      }
      assertTrue(questions > 0, "seed " + seed + " has no question");
    }
  }

  @Test
  void twentyMinuteCallsAverageBetween8And25KilobytesOfJson() throws Exception {
    long bytes = 0;
    for (long seed = 0; seed < 200; seed++) {
      Transcript transcript = generator.generate(new SplittableRandom(seed), TWENTY_MINUTES);
      bytes += JSON.writeValueAsBytes(transcript).length;
    }
    long average = bytes / 200;
    assertTrue(average >= 8_000 && average <= 25_000, average + " bytes");
  }

  @Test
  void aZeroSecondCallHasNoUtterances() {
    assertEquals(List.of(), generate(1, 0));
  }

  @Test
  void aNegativeDurationIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> generator.generate(new SplittableRandom(1), -1));
  }

  private List<Utterance> generate(long seed, int durationSeconds) {
    return generator.generate(new SplittableRandom(seed), durationSeconds).utterances();
  }

  /** From the start of a run of one speaker's utterances to the end of its last one. */
  private static long longestRunBySameSpeaker(List<Utterance> utterances) {
    long longest = 0;
    long runStart = 0;
    String runSpeaker = null;
    for (Utterance u : utterances) {
      if (!u.speaker().equals(runSpeaker)) {
        runSpeaker = u.speaker();
        runStart = u.startMs();
      }
      longest = Math.max(longest, u.endMs() - runStart);
    }
    return longest;
  }
}
