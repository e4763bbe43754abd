/**
 * The benchmark scenarios: a connection storm ({@link io.ora.load.scenario.HandshakeBenchmark}), open-loop relay
 * traffic from apps to their bound hubs, at one rate or swept ({@link io.ora.load.scenario.RelayBenchmark}), and hubs'
 * health telemetry into the ingest role, acknowledged only once committed ({@link
 * io.ora.load.scenario.TelemetryBenchmark}).
 */
package io.ora.load.scenario;
