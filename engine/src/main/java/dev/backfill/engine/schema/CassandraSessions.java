package dev.backfill.engine.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import dev.backfill.engine.settings.EngineSettings.CassandraSettings;
import java.net.InetSocketAddress;

/** Opens driver sessions from the engine's settings (not from the driver's own config files). */
public final class CassandraSessions {

  private CassandraSessions() {}

  public static CqlSession withKeyspace(CassandraSettings settings) {
    return builder(settings, true).withKeyspace(settings.keyspace()).build();
  }

  public static CqlSession withoutKeyspace(CassandraSettings settings) {
    return builder(settings, true).build();
  }

  /**
   * A session for installing the schema and nothing else: it keeps no schema metadata. With
   * schema metadata on (the driver's default, and every other session here), the driver completes
   * a DDL statement only after refreshing that metadata, and the refresh waits out its debouncer
   * ({@code advanced.metadata.schema.debouncer.window}, 1 s) first: about a second per CREATE,
   * several per install, paid by every test environment. The installer never reads the driver's
   * metadata (it asks system_schema itself), so it has no use for the refresh.
   *
   * <p>Turning the metadata off also turns off the driver's schema-agreement check after DDL (it
   * runs as part of that refresh), so the caller must check agreement itself after each DDL, as
   * {@link SchemaInstaller#installCassandra} does with {@link CqlSession#checkSchemaAgreement()}:
   * on a cluster of several nodes that is what lets the next statement, sent to another
   * coordinator, see the keyspace or table just created. Not for the engine's work: its sessions
   * keep the metadata (token-aware routing needs the keyspaces' replication from it).
   */
  public static CqlSession forSchemaChanges(CassandraSettings settings) {
    return builder(settings, false).build();
  }

  private static CqlSessionBuilder builder(CassandraSettings settings, boolean schemaMetadata) {
    ProgrammaticDriverConfigLoaderBuilder loader = DriverConfigLoader.programmaticBuilder();
    if (!schemaMetadata) {
      // See forSchemaChanges; the engine's own sessions keep the driver's default (on).
      loader = loader.withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false);
    }
    DriverConfigLoader config =
        loader
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
