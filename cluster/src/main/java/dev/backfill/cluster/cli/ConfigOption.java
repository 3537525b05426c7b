package dev.backfill.cluster.cli;

import com.typesafe.config.Config;
import dev.backfill.cluster.node.NodeConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands that talk to the stores. */
public final class ConfigOption {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "HOCON file for the node (see config/examples/). Default: the built-in configuration,"
              + " which points at `./backfill stores start` on this machine.")
  Path file;

  Config load() {
    return NodeConfig.load(Optional.ofNullable(file), Map.of());
  }
}
