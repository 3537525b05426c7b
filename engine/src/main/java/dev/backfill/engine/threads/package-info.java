/**
 * Which of a node's threads yield their core to everything else on the machine.
 *
 * <p>A node has a control plane (its HTTP API, job entities and journal, the governor, cluster
 * membership, remoting) and a data plane (call entities and block readers, the processors, page
 * reads, the Cassandra driver). With {@code backfill.node.cpu-priority = background} the data
 * plane runs under Linux's {@code SCHED_IDLE}, so a primary on the same cores takes a core from it
 * at once, and so do the JVM's JIT compilers ({@link JvmThreadDemotion}), which a backfill keeps
 * busy; the control plane and the garbage collector (whose pauses stop both planes) keep the
 * normal priority, so that operators' requests are not queued behind every other process on a
 * busy machine. With {@code normal}
 * nothing here changes the scheduler.
 *
 * <p>Linux gives a new thread the policy of the thread that starts it, and an unprivileged thread
 * can lower its own priority but never raise it again. So the process runs at normal priority, each
 * data-plane thread demotes itself when it starts ({@link DataPlaneExecutor}), and control-plane
 * pool threads are always started by a thread that is itself normal ({@link ControlPlaneExecutor}),
 * even when a data-plane thread hands work to a control-plane pool that then grows.
 */
package dev.backfill.engine.threads;
