/**
 * What an OTA benchmark needs on the node before it runs ({@link io.ora.load.ota.OtaSetup}): the firmware team's
 * keys, a signed root and release with its image, and a rollout, put there over the portal's operator API.
 */
package io.ora.load.ota;
