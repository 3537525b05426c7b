/**
 * A node whose CPU priority is split by plane ({@code backfill.node.cpu-priority = split}).
 *
 * <p>A node has a control plane (its HTTP API, job entities and journal, the governor, cluster
 * membership, remoting) and a data plane (call entities and block readers, the processors, page
 * reads, the Cassandra driver). Split (the default), the data plane runs under Linux's {@code
 * SCHED_IDLE}, so a primary on the same cores takes a core from it at once, while the control
 * plane, the JIT compilers and the garbage collector stay under the normal policy at nice 19 (the
 * node lowers its whole process to it when it starts: dev.backfill.cluster.local.CpuPriority), so
 * that operators' requests are not queued behind the node's own calls in flight, and still wait
 * for the primary's backends. At {@code background} every thread of the node is under {@code
 * SCHED_IDLE}; at {@code normal} none is. Nothing here changes the scheduler unless the node is
 * split.
 *
 * <p>Linux gives a new thread the policy of the thread that starts it, and an unprivileged thread
 * can lower its own priority but never raise it again. So a split node's process runs under the
 * normal policy, each data-plane thread demotes itself when it starts ({@link DataPlaneExecutor}),
 * and control-plane pool threads are always started by a thread that is itself under the normal
 * policy ({@link ControlPlaneExecutor}), even when a data-plane thread hands work to a
 * control-plane pool that then grows.
 */
package dev.backfill.engine.threads;
