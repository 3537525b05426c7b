package dev.backfill.cluster.seed;

import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.CallChannel;
import dev.backfill.protocol.call.Transcript;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

/**
 * The calls one seed stands for. Each call is drawn from a random stream of its own, derived from
 * the seed and the call's id only, so a call is the same whatever batch or chunk it is written in
 * and whichever ids are seeded around it.
 */
final class SyntheticCalls {

  /**
   * Calls start in the two years before this fixed instant rather than before "now", so that the
   * same seed gives the same rows on every run.
   */
  static final Instant PERIOD_END = Instant.parse("2026-01-01T00:00:00Z");

  static final Instant PERIOD_START = PERIOD_END.atOffset(ZoneOffset.UTC).minusYears(2).toInstant();

  static final int MIN_DURATION_S = 2 * 60;
  static final int MAX_DURATION_S = 60 * 60;

  /**
   * Invented customers of the product. The n-th gets a weight of 1/n, so the first few hold most
   * calls, as on a real platform where a handful of big accounts dominate.
   */
  static final String[] TENANTS = {
    "northwind", "contoso", "fabrikam", "globex", "initech", "tailspin", "litware", "proseware",
    "woodgrove", "adatum", "wingtip", "lucerne", "margie-travel", "fourth-coffee", "alpine-ski",
    "blue-yonder", "coho-winery", "humongous-insurance", "trey-research", "wide-world-importers"
  };

  private static final double[] TENANT_CUMULATIVE = cumulativeHarmonicWeights(TENANTS.length);

  private static final double WEB_CONFERENCE_SHARE = 0.70;

  /** Most calls happen on weekdays: this many weekend days are redrawn once. */
  private static final double WEEKEND_REDRAW_CHANCE = 0.85;

  /** Share of calls inside 08:00-22:00 UTC, the business hours of tenants from Europe to the US. */
  private static final double BUSINESS_HOURS_SHARE = 0.90;

  private static final int BUSINESS_DAY_START_S = 8 * 3_600;
  private static final int BUSINESS_DAY_END_S = 22 * 3_600;
  private static final int DAY_S = 24 * 3_600;

  private final long seed;
  private final TranscriptGenerator transcripts = new TranscriptGenerator();

  SyntheticCalls(long seed) {
    this.seed = seed;
  }

  Call call(long id) {
    SplittableRandom random = randomFor(seed, id);
    String tenant = tenant(random);
    Instant startedAt = startedAt(random);
    int durationSeconds = durationSeconds(random);
    CallChannel channel =
        random.nextDouble() < WEB_CONFERENCE_SHARE ? CallChannel.WEB_CONFERENCE : CallChannel.PHONE;
    Transcript transcript = transcripts.generate(random, durationSeconds);
    return new Call(id, tenant, startedAt, durationSeconds, channel, transcript);
  }

  /**
   * The stream for one call. Both inputs go through a 64-bit mixer so that nearby seeds and nearby
   * ids give unrelated streams, and {@code (seed, id)} pairs never meet by simple arithmetic, as
   * they would with {@code seed + id}.
   */
  static SplittableRandom randomFor(long seed, long id) {
    return new SplittableRandom(mix64(mix64(seed) + id));
  }

  private static String tenant(SplittableRandom random) {
    double u = random.nextDouble();
    for (int i = 0; i < TENANT_CUMULATIVE.length - 1; i++) {
      if (u < TENANT_CUMULATIVE[i]) {
        return TENANTS[i];
      }
    }
    return TENANTS[TENANTS.length - 1];
  }

  private static Instant startedAt(SplittableRandom random) {
    long firstDay = PERIOD_START.getEpochSecond() / DAY_S;
    int days = (int) ((PERIOD_END.getEpochSecond() - PERIOD_START.getEpochSecond()) / DAY_S);
    long day = firstDay + random.nextInt(days);
    if (isWeekend(day) && random.nextDouble() < WEEKEND_REDRAW_CHANCE) {
      day = firstDay + random.nextInt(days);
    }
    int second =
        random.nextDouble() < BUSINESS_HOURS_SHARE
            ? BUSINESS_DAY_START_S + random.nextInt(BUSINESS_DAY_END_S - BUSINESS_DAY_START_S)
            : random.nextInt(DAY_S);
    return Instant.ofEpochSecond(day * DAY_S + second);
  }

  /** 1970-01-01, epoch day 0, was a Thursday: days 2 and 3 of each week counted from it. */
  private static boolean isWeekend(long epochDay) {
    long fromThursday = Math.floorMod(epochDay, 7L);
    return fromThursday == 2 || fromThursday == 3;
  }

  /**
   * 2-60 minutes, most calls 15-30: a few quick check-ins, many half-hour meetings that end a
   * little early, and a tail of long workshops and demos.
   */
  private static int durationSeconds(SplittableRandom random) {
    double kind = random.nextDouble();
    if (kind < 0.10) {
      return MIN_DURATION_S + random.nextInt(10 * 60 - MIN_DURATION_S);
    }
    if (kind < 0.22) {
      return 10 * 60 + random.nextInt(5 * 60);
    }
    if (kind < 0.88) {
      // The mean of two uniforms peaks in the middle: around 22 minutes.
      double peaked = (random.nextDouble() + random.nextDouble()) / 2;
      return 15 * 60 + (int) (peaked * 15 * 60);
    }
    // Squared so that long calls thin out towards the hour.
    double tail = random.nextDouble();
    return 30 * 60 + (int) (tail * tail * (MAX_DURATION_S - 30 * 60));
  }

  private static double[] cumulativeHarmonicWeights(int count) {
    double total = 0;
    for (int i = 1; i <= count; i++) {
      total += 1.0 / i;
    }
    double[] cumulative = new double[count];
    double sum = 0;
    for (int i = 1; i <= count; i++) {
      sum += 1.0 / i;
      cumulative[i - 1] = sum / total;
    }
    return cumulative;
  }

  /** A bijective 64-bit finalizer (Stafford's variant 13 of the MurmurHash3 mixer). */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
