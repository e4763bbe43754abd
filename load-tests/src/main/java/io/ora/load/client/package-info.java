/**
 * The generator's own MQTT client: Netty with epoll (NIO when the native transport does not load), BoringSSL TLS 1.3
 * with one client-certificate context per identity built before anything is measured, netty-codec-mqtt for the
 * control packets, PUBLISH frames written straight into pooled buffers, and every connection, timer and callback of
 * a client on one event loop, so that a message never changes threads between the schedule and the socket.
 */
package io.ora.load.client;
