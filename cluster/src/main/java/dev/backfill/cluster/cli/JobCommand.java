package dev.backfill.cluster.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = "Shows one job: status, counts, rate and ETA (GET /jobs/ID).")
final class JobCommand implements Callable<Integer> {

  @Mixin ApiOption api;

  @Parameters(paramLabel = "ID", description = "The job's id, as submit printed it.")
  String jobId;

  @Override
  public Integer call() {
    return ApiOption.print(api.client().get("/jobs/" + jobId));
  }
}
