/**
 * A benchmark population: hub and app identities issued by the development CA, their app-hub bindings, and the
 * Mosquitto configuration that grants them the same rights the Ora relay does.
 */
package io.ora.load.identities;
