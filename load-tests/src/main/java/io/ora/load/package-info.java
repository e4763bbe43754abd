/**
 * The relay load generator's command line ({@link io.ora.load.LoadGenerator}): issuing a benchmark population of
 * identities, the connection-storm scenario and the open-loop relay scenario, against the Ora relay or Mosquitto, and
 * the telemetry scenario against the Ora relay and its ingest role.
 */
package io.ora.load;
