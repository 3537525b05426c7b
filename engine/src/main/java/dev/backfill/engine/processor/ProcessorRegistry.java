package dev.backfill.engine.processor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every {@link Processor} on the class path, by id. Loaded with {@link ServiceLoader} once per
 * process: processors are stateless, so one shared instance of each serves every job.
 */
public final class ProcessorRegistry {

  /** Lazily loaded on first use, then shared; the JVM's class initialisation makes it safe. */
  private static final class Loaded {
    static final ProcessorRegistry INSTANCE =
        of(ServiceLoader.load(Processor.class, ProcessorRegistry.class.getClassLoader()));
  }

  private final Map<String, Processor> byId;
  private final List<Processor> all;

  private ProcessorRegistry(Map<String, Processor> byId) {
    this.byId = Map.copyOf(byId);
    List<Processor> sorted = new ArrayList<>(byId.values());
    sorted.sort(Comparator.comparing(Processor::id));
    this.all = List.copyOf(sorted);
  }

  /** The processors listed in META-INF/services, loaded the first time this is called. */
  public static ProcessorRegistry load() {
    return Loaded.INSTANCE;
  }

  /**
   * A registry of the given processors. Package-private so tests can check the duplicate-id rule
   * without a second services file on the class path.
   *
   * @throws IllegalStateException when two processors share an id: a job naming that id would run
   *     whichever happened to load first, and result rows keyed by id would mix the two
   */
  static ProcessorRegistry of(Iterable<? extends Processor> processors) {
    Map<String, Processor> byId = new TreeMap<>();
    for (Processor processor : processors) {
      Processor previous = byId.putIfAbsent(processor.id(), processor);
      if (previous != null) {
        throw new IllegalStateException(
            "two processors have the id '"
                + processor.id()
                + "': "
                + previous.getClass().getName()
                + " and "
                + processor.getClass().getName());
      }
    }
    return new ProcessorRegistry(byId);
  }

  public Optional<Processor> find(String id) {
    return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
  }

  /** All processors, sorted by id. */
  public List<Processor> all() {
    return all;
  }
}
