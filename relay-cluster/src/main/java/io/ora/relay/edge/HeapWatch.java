package io.ora.relay.edge;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Load shedding by heap occupancy: above the threshold the node stops admitting connections and drops QoS 0
 * deliveries, so a flood cannot push it into an out-of-memory death that would take every connection down.
 *
 * <p>It reads what the tenured pools held after their last collection, not the raw heap use: garbage waiting for a
 * collection is not load, and reading raw use would shed whenever the young generation filled up.
 */
final class HeapWatch {

    private final List<MemoryPoolMXBean> tenured = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
            .toList();
    private final long maxHeap = Runtime.getRuntime().maxMemory();
    private final double threshold;
    private volatile boolean shedding;

    HeapWatch(double threshold) {
        this.threshold = threshold;
    }

    /** Samples heap use; called on a timer. */
    void sample() {
        long live = 0;
        for (MemoryPoolMXBean pool : tenured) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (afterGc != null) {
                live += afterGc.getUsed();
            }
        }
        shedding = live > threshold * maxHeap;
    }

    boolean shedding() {
        return shedding;
    }
}
