package dev.backfill.engine.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.backfill.engine.settings.EngineSettings.CassandraSettings;
import java.net.InetSocketAddress;

/** Opens driver sessions from the engine's settings (not from the driver's own config files). */
public final class CassandraSessions {

  private CassandraSessions() {}

  public static CqlSession withKeyspace(CassandraSettings settings) {
    return builder(settings).withKeyspace(settings.keyspace()).build();
  }

  public static CqlSession withoutKeyspace(CassandraSettings settings) {
    return builder(settings).build();
  }

  private static CqlSessionBuilder builder(CassandraSettings settings) {
    DriverConfigLoader config =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, settings.requestTimeout())
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, settings.requestTimeout())
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, settings.schemaTimeout())
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, settings.schemaTimeout())
            // After an outage, find Cassandra again within seconds (the driver's default waits up
            // to a minute between attempts), since stalled jobs are waiting for it.
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, java.time.Duration.ofMillis(500))
            .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, java.time.Duration.ofSeconds(5))
            .build();
    CqlSessionBuilder builder =
        CqlSession.builder().withConfigLoader(config).withLocalDatacenter(settings.localDatacenter());
    for (String contactPoint : settings.contactPoints()) {
      builder.addContactPoint(address(contactPoint));
    }
    return builder;
  }

  private static InetSocketAddress address(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    if (colon < 0) {
      return new InetSocketAddress(hostAndPort, 9042);
    }
    return new InetSocketAddress(
        hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
  }
}
