/**
 * The benchmark scenarios: a connection storm ({@link io.ora.load.scenario.HandshakeBenchmark}) and open-loop relay
 * traffic from apps to their bound hubs, at one rate or swept ({@link io.ora.load.scenario.RelayBenchmark}).
 */
package io.ora.load.scenario;
