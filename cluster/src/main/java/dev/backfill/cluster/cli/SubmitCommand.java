package dev.backfill.cluster.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.protocol.http.SubmitJobRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = "Submits a backfill job to a running node (POST /jobs) and prints its id.")
final class SubmitCommand implements Callable<Integer> {

  @Mixin ApiOption api;

  @Option(names = "--processor", required = true, description = "Processor id (see GET /processors).")
  String processor;

  @Option(names = "--version", defaultValue = "1", description = "Processor version (default ${DEFAULT-VALUE}).")
  int version;

  @Option(names = "--tenant", description = "Only this tenant's calls.")
  String tenant;

  @Option(names = "--from", description = "Only calls started at or after (2025-01-31 or an ISO instant).")
  String from;

  @Option(names = "--to", description = "Only calls started before.")
  String to;

  @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Processor parameter, e.g. keywords=price,budget.")
  Map<String, String> parameters = new LinkedHashMap<>();

  @Option(names = "--priority", description = "Weight when jobs share the governor's rate (default 1).")
  Double priority;

  @Option(names = "--max-rate", paramLabel = "CALLS_PER_SECOND", description = "The job's own cap (default none).")
  Double maxCallsPerSecond;

  @Override
  public Integer call() throws JsonProcessingException {
    String body =
        ApiJson.MAPPER.writeValueAsString(
            new SubmitJobRequest(
                processor, version, tenant, from, to, parameters, priority, maxCallsPerSecond));
    return ApiOption.print(api.client().post("/jobs", body));
  }
}
