/**
 * The relay load generator's command line ({@link io.ora.load.LoadGenerator}): issuing a benchmark population of
 * identities, the connection-storm scenario and the open-loop relay scenario, against the Ora relay or Mosquitto.
 */
package io.ora.load;
