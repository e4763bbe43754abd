package io.ora.relay.edge;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The few most recently used answers of one connection (where a topic leads, a receiver's access): a peer talks to
 * a handful of others, so a handful of entries spares almost every message a shared look-up, and the bound keeps an
 * idle connection small. Confined to the connection's event loop, like the rest of its session.
 */
final class Recent<K, V> extends LinkedHashMap<K, V> {

    private static final long serialVersionUID = 1L;

    private final int capacity;

    Recent(int capacity) {
        super(4, 0.75f, true);
        this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }
}
