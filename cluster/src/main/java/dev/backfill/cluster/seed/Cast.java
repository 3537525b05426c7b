package dev.backfill.cluster.seed;

import dev.backfill.protocol.call.SpeakerRole;
import java.util.SplittableRandom;

/**
 * Who is on a synthetic call: one or two reps and one to three customers, each with a first name
 * that nobody else on the call has. Distinct names matter because the processors tell people apart
 * by name, and a name on both sides would be bad data to them.
 */
final class Cast {

  private static final String[] FIRST_NAMES = {
    "Alice", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal",
    "Kate", "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sam", "Tara",
    "Umar", "Vera", "Will", "Xin", "Yusuf", "Zoe", "Aisha", "Bruno", "Chloe", "Dmitri",
    "Emma", "Felix", "Gita", "Hugo", "Ivy", "Jonas", "Keiko", "Lucas", "Mia", "Nadia",
    "Omar", "Priya", "Raj", "Sofia", "Tom", "Uma", "Victor", "Wen"
  };

  /**
   * How much of a side's speaking the first person on it does: the account executive leads the
   * rep side and the champion leads the customer side, with the others chiming in.
   */
  private static final double LEAD_SHARE = 0.72;

  private final String[] reps;
  private final String[] customers;

  private Cast(String[] reps, String[] customers) {
    this.reps = reps;
    this.customers = customers;
  }

  static Cast draw(SplittableRandom random) {
    String[] reps = new String[1 + random.nextInt(2)];
    String[] customers = new String[1 + random.nextInt(3)];
    // At most five names out of 48, so redrawing on a clash ends quickly.
    int[] used = new int[reps.length + customers.length];
    int taken = 0;
    for (String[] side : new String[][] {reps, customers}) {
      for (int i = 0; i < side.length; i++) {
        int index = unusedName(random, used, taken);
        used[taken++] = index;
        side[i] = FIRST_NAMES[index];
      }
    }
    return new Cast(reps, customers);
  }

  /** The person who leads a side, who also opens the call when that side is the rep's. */
  String lead(SpeakerRole role) {
    return side(role)[0];
  }

  /** Someone on the given side, the lead most often. */
  String pick(SplittableRandom random, SpeakerRole role) {
    String[] side = side(role);
    if (side.length == 1 || random.nextDouble() < LEAD_SHARE) {
      return side[0];
    }
    return side[1 + random.nextInt(side.length - 1)];
  }

  /** Someone else on the same side as {@code speaker}, or null when that side has one person. */
  String colleagueOf(SplittableRandom random, SpeakerRole role, String speaker) {
    String[] side = side(role);
    if (side.length == 1) {
      return null;
    }
    String other = side[random.nextInt(side.length)];
    while (other.equals(speaker)) {
      other = side[random.nextInt(side.length)];
    }
    return other;
  }

  int size(SpeakerRole role) {
    return side(role).length;
  }

  private String[] side(SpeakerRole role) {
    return role == SpeakerRole.REP ? reps : customers;
  }

  private static int unusedName(SplittableRandom random, int[] used, int taken) {
    while (true) {
      int candidate = random.nextInt(FIRST_NAMES.length);
      boolean clash = false;
      for (int i = 0; i < taken && !clash; i++) {
        clash = used[i] == candidate;
      }
      if (!clash) {
        return candidate;
      }
    }
  }
}
