package dev.backfill.bench.machine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live objects of a JVM by class, read from outside with {@code jcmd GC.class_histogram}
 * (which collects first, so only what is reachable counts). Two of them, before and after a job,
 * say which classes a node kept more of: where heap growth comes from, not only how much.
 */
public final class HeapHistogram {

  /** "   1:   12345   678901  some.Class (module)": rank, instances, bytes, class name. */
  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  /** Instances and bytes of one class. */
  public record Entry(String className, long instances, long bytes) {}

  /** What one class gained (or lost) between two histograms. */
  public record Growth(String className, long instances, long bytes) {}

  private final Map<String, Entry> byClass;

  private HeapHistogram(Map<String, Entry> byClass) {
    this.byClass = byClass;
  }

  /** The live objects of process {@code pid} now. */
  public static HeapHistogram of(long pid) {
    return parse(Commands.jcmd(pid, "GC.class_histogram", Duration.ofSeconds(120)));
  }

  static HeapHistogram parse(String output) {
    Map<String, Entry> byClass = new HashMap<>();
    for (String line : output.split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        String name = row.group(3);
        Entry entry = new Entry(name, Long.parseLong(row.group(1)), Long.parseLong(row.group(2)));
        // The same name from two class loaders shows twice: add them up.
        byClass.merge(name, entry, (a, b) -> new Entry(name, a.instances() + b.instances(), a.bytes() + b.bytes()));
      }
    }
    if (byClass.isEmpty()) {
      throw new IllegalStateException("GC.class_histogram named no class: " + output);
    }
    return new HeapHistogram(byClass);
  }

  /** The {@code limit} classes whose bytes grew most from {@code before} to this one, largest first. */
  public List<Growth> largestGrowthSince(HeapHistogram before, int limit) {
    List<Growth> growth = new ArrayList<>();
    for (Entry now : byClass.values()) {
      Entry then = before.byClass.getOrDefault(now.className(), new Entry(now.className(), 0, 0));
      if (now.bytes() > then.bytes()) {
        growth.add(new Growth(now.className(), now.instances() - then.instances(), now.bytes() - then.bytes()));
      }
    }
    growth.sort(Comparator.comparingLong(Growth::bytes).reversed());
    return growth.subList(0, Math.min(limit, growth.size()));
  }
}
