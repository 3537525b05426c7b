package dev.backfill.cluster.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "jobs", mixinStandardHelpOptions = true, description = "Lists every job (GET /jobs).")
final class JobsCommand implements Callable<Integer> {

  @Mixin ApiOption api;

  @Override
  public Integer call() {
    return ApiOption.print(api.client().get("/jobs"));
  }
}
