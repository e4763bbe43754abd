/**
 * Measurement without coordinated omission: the open-loop schedule, the timed payload and the latency histogram;
 * the CPU of the generator and of the server over a measured window;
 * the health-report payload of the telemetry scenario, and the server's resident memory.
 */
package io.ora.load.measure;
