package dev.backfill.gatling;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jobs an operator submits beside a large backfill: one tenant's calls of one month, with a
 * processor of the engine's own, a few hundred calls or fewer; and requests the engine must refuse
 * with a clear 4xx.
 */
final class SmallJobs {

  /** Tenants of the seeded calls (the seeder's own names). */
  private static final List<String> TENANTS =
      List.of(
          "northwind", "contoso", "fabrikam", "globex", "initech", "tailspin", "litware", "proseware",
          "woodgrove", "adatum", "wingtip", "lucerne", "margie-travel", "fourth-coffee", "alpine-ski",
          "blue-yonder", "coho-winery", "humongous-insurance", "trey-research", "wide-world-importers");

  private static final List<String> PROCESSORS =
      List.of("longest-monologue", "interactivity", "question-count", "patience");

  /** The seeded calls start in the two years before 2026-01-01. */
  private static final LocalDate FIRST_MONTH = LocalDate.of(2024, 1, 1);

  private static final int MONTHS = 24;

  private SmallJobs() {}

  /** A valid job over a random tenant's calls of a random month. */
  static String body() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    LocalDate from = FIRST_MONTH.plusMonths(random.nextInt(MONTHS));
    return "{\"processor\":\""
        + PROCESSORS.get(random.nextInt(PROCESSORS.size()))
        + "\",\"version\":1,\"tenant\":\""
        + TENANTS.get(random.nextInt(TENANTS.size()))
        + "\",\"from\":\""
        + from
        + "\",\"to\":\""
        + from.plusMonths(1)
        + "\",\"priority\":"
        + (1 + random.nextInt(5))
        + "}";
  }

  /** A job the API must refuse (HTTP 400 with a problem body), one of several kinds of mistake. */
  static String refusedBody() {
    return switch (ThreadLocalRandom.current().nextInt(4)) {
      case 0 -> "{\"processor\":\"no-such-processor\",\"version\":1}";
      case 1 -> "{\"processor\":\"talk-ratio\",\"version\":1,\"from\":\"2025-06-01\",\"to\":\"2025-01-01\"}";
      case 2 -> "{\"processor\":\"talk-ratio\",\"version\":1,\"priority\":-3}";
      default -> "{\"processor\":\"talk-ratio\",\"version\":1,";
    };
  }
}
