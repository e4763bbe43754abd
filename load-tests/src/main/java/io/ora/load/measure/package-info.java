/** Measurement without coordinated omission: the open-loop schedule, the timed payload and the latency histogram. */
package io.ora.load.measure;
