package io.ora.device.https;

import io.ora.core.identity.PeerId;

/**
 * The peer a request on the device listener comes from, as its connection's verified client certificate names it:
 * issued by the device CA, current, naming exactly one Ora identity (checked in the handshake), and not on the newest
 * deny-list (checked for each request, {@link DeviceRequests#peer}). Nothing in the request itself can change it.
 *
 * @param id     the identity the certificate names: a hub or an app install; a route decides which it serves
 * @param serial the certificate's serial, in the deny-list's form (lower-case hex, no leading zeros)
 */
public record DevicePeer(PeerId id, String serial) {
}
