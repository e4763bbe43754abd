package io.ora.device.https;

import org.apache.pekko.http.javadsl.server.Route;

/**
 * What a role mounts on the device listener: its routes, and the largest body any of them takes. The listener
 * gives a route its verified peer and a bounded body through {@link DeviceRequests}, and turns whatever the route
 * rejects or throws into a problem; the route answers everything else itself, refusals as {@link Problem}s.
 *
 * <p>Routes of several roles are tried in turn, so a route must match only its own paths (e.g. under
 * {@code /ingest/v1/}) and leave every other request unmatched: a request no route matches is the listener's 404,
 * and a method none supports its 405, with {@code Allow} naming those that are.
 */
public interface DeviceRoutes {

    /**
     * This role's routes.
     *
     * @param requests the verified peer and the bounded body of a request on this listener
     */
    Route route(DeviceRequests requests);

    /**
     * The largest request body, in bytes, any of these routes takes. The listener refuses a larger body than the
     * largest of all mounted routes before any route sees it; below that, each route enforces its own limit (with
     * {@link DeviceRequests#body}).
     */
    long maxBodyBytes();
}
