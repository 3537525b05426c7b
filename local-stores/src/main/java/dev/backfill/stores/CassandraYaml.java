package dev.backfill.stores;

import java.nio.file.Path;

/** The configuration files of a local single-node Cassandra, written afresh at every start. */
final class CassandraYaml {

  private CassandraYaml() {}

  static String render(Path directory, LocalCassandra.Settings settings) {
    return """
        cluster_name: backfill-local
        num_tokens: 1
        initial_token: 0
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch
        commitlog_sync: periodic
        commitlog_sync_period: 10000ms
        data_file_directories:
          - %1$s/data
        commitlog_directory: %1$s/commitlog
        saved_caches_directory: %1$s/saved_caches
        hints_directory: %1$s/hints
        cdc_raw_directory: %1$s/cdc_raw
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "127.0.0.1:%2$d"
        listen_address: 127.0.0.1
        rpc_address: 127.0.0.1
        storage_port: %2$d
        native_transport_port: %3$d
        start_native_transport: true
        # a development node: no snapshot on every drop or truncate
        auto_snapshot: false
        read_request_timeout: 10000ms
        write_request_timeout: 10000ms
        range_request_timeout: 30000ms
        request_timeout: 30000ms
        """
        .formatted(directory, settings.storagePort(), settings.nativePort());
  }

  /** Cassandra's own log goes to a file at INFO; the console would mix with ours. */
  static String logback(Path logs) {
    return """
        <configuration>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s/system.log</file>
            <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{24} - %%msg%%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="FILE"/></root>
        </configuration>
        """
        .formatted(logs);
  }
}
