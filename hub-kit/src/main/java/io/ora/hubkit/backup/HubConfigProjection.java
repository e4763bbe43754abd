package io.ora.hubkit.backup;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The allow-list from a hub's configuration document ({@code ora.hub-config/1}, docs/backup.md, "The hub
 * configuration document") onto a {@link HubBackup}. It reads the fields listed below, by name, and nothing else:
 * personas, shadow identities, lifecycle data (commissioning history, timestamps, installer and homeowner ids,
 * handover state), the hub's own identity, labels, and any field nobody listed never reach the backup, because
 * nothing here ever looks at them.
 *
 * <pre>
 * schema                                         "ora.hub-config/1"
 * matter.nodes[].nodeId                          1-16 hex digits (any case; kept as 16 upper-case digits)
 * matter.nodes[].vendorId, .productId            0..65535
 * matter.nodes[].endpoints[].endpoint            0..65534
 * matter.nodes[].endpoints[].deviceTypes[]       {deviceType: 0..2^32-1, revision: 1..65535}
 * matter.nodes[].endpoints[].serverClusters[]    cluster ids, 0..2^32-1
 * matter.nodes[].endpoints[].clientClusters[]    cluster ids
 * matter.nodes[].endpoints[].bindings[]          {node, endpoint} or {group}, optional cluster
 * floors[]                                       {id, name, level}
 * rooms[]                                        {id, name, floor?, devices[]: {node, endpoint}}
 * </pre>
 *
 * A listed field of the wrong type or out of bounds refuses the whole document, naming the field's path (never its
 * value); a listed list that is absent is read as empty, and so is an absent {@code matter}, while a {@code matter}
 * that is not an object is refused like a listed field of the wrong type.
 */
public final class HubConfigProjection {

    /** The configuration document's schema name. */
    public static final String SCHEMA = "ora.hub-config/1";
    /** The largest configuration document read (a hub's whole configuration, not only what is kept). */
    public static final int MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

    private static final Pattern HEX_NODE = Pattern.compile("[0-9A-Fa-f]{1,16}");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        // Deep nesting in fields nobody reads must still not exhaust the stack of whoever parses the document.
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private HubConfigProjection() {
    }

    /** The document did not project: the path of the first field at fault and what was expected there. */
    public static final class RefusedDocumentException extends Exception {
        private final String path;

        RefusedDocumentException(String path, String expected) {
            super(path + ": " + expected);
            this.path = path;
        }

        /** Where in the document, e.g. {@code matter.nodes[2].vendorId}. */
        public String path() {
            return path;
        }
    }

    /** Projects a configuration document (UTF-8 JSON) onto what a backup may hold. */
    public static HubBackup project(byte[] document) throws RefusedDocumentException {
        if (document.length > MAX_DOCUMENT_BYTES) {
            throw new RefusedDocumentException("$", "a document of at most " + MAX_DOCUMENT_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (IOException e) {
            throw new RefusedDocumentException("$", "well-formed JSON of at most 64 levels");
        }
        if (root == null || !root.isObject()) {
            throw new RefusedDocumentException("$", "an object");
        }
        JsonNode schema = root.get("schema");
        if (schema == null || !SCHEMA.equals(schema.textValue())) {
            throw new RefusedDocumentException("schema", "\"" + SCHEMA + "\"");
        }
        JsonNode matter = root.path("matter");
        if (!matter.isMissingNode() && !matter.isObject()) {
            // Read as "no nodes", it would seal an empty topology over the home's good backup without a word.
            throw new RefusedDocumentException("matter", "an object");
        }
        List<HubBackup.Node> nodes = list(matter, "nodes", "matter.nodes", HubConfigProjection::node);
        List<HubBackup.Floor> floors = list(root, "floors", "floors", HubConfigProjection::floor);
        List<HubBackup.Room> rooms = list(root, "rooms", "rooms", HubConfigProjection::room);
        try {
            return new HubBackup(new HubBackup.Topology(nodes), new HubBackup.Layout(floors, rooms));
        } catch (IllegalArgumentException inconsistent) {
            throw new RefusedDocumentException("$", inconsistent.getMessage());
        }
    }

    private static HubBackup.Node node(JsonNode value, String path) throws RefusedDocumentException {
        JsonNode node = object(value, path);
        String nodeId = nodeId(node.get("nodeId"), path + ".nodeId");
        int vendor = (int) integer(node.get("vendorId"), path + ".vendorId", 0, 0xFFFF);
        int product = (int) integer(node.get("productId"), path + ".productId", 0, 0xFFFF);
        List<HubBackup.Endpoint> endpoints = list(node, "endpoints", path + ".endpoints",
                HubConfigProjection::endpoint);
        return build(path, () -> new HubBackup.Node(nodeId, vendor, product, endpoints));
    }

    private static HubBackup.Endpoint endpoint(JsonNode value, String path) throws RefusedDocumentException {
        JsonNode endpoint = object(value, path);
        int id = (int) integer(endpoint.get("endpoint"), path + ".endpoint", 0, 0xFFFE);
        List<HubBackup.DeviceType> types = list(endpoint, "deviceTypes", path + ".deviceTypes",
                HubConfigProjection::deviceType);
        List<Long> server = list(endpoint, "serverClusters", path + ".serverClusters", HubConfigProjection::cluster);
        List<Long> client = list(endpoint, "clientClusters", path + ".clientClusters", HubConfigProjection::cluster);
        List<HubBackup.Binding> bindings = list(endpoint, "bindings", path + ".bindings",
                HubConfigProjection::binding);
        return build(path, () -> new HubBackup.Endpoint(id, types, server, client, bindings));
    }

    private static HubBackup.DeviceType deviceType(JsonNode value, String path) throws RefusedDocumentException {
        JsonNode type = object(value, path);
        long id = integer(type.get("deviceType"), path + ".deviceType", 0, 0xFFFF_FFFFL);
        int revision = (int) integer(type.get("revision"), path + ".revision", 1, 0xFFFF);
        return build(path, () -> new HubBackup.DeviceType(id, revision));
    }

    private static Long cluster(JsonNode id, String path) throws RefusedDocumentException {
        return integer(id, path, 0, 0xFFFF_FFFFL);
    }

    private static HubBackup.Binding binding(JsonNode value, String path) throws RefusedDocumentException {
        JsonNode binding = object(value, path);
        Optional<String> node = optional(binding, "node", path, HubConfigProjection::nodeId);
        Optional<Integer> endpoint = optional(binding, "endpoint", path,
                (item, at) -> (int) integer(item, at, 0, 0xFFFE));
        Optional<Integer> group = optional(binding, "group", path, (item, at) -> (int) integer(item, at, 1, 0xFFFF));
        Optional<Long> cluster = optional(binding, "cluster", path, HubConfigProjection::cluster);
        return build(path, () -> new HubBackup.Binding(node, endpoint, group, cluster));
    }

    private static HubBackup.Floor floor(JsonNode value, String path) throws RefusedDocumentException {
        JsonNode floor = object(value, path);
        String id = text(floor.get("id"), path + ".id");
        String name = text(floor.get("name"), path + ".name");
        int level = (int) integer(floor.get("level"), path + ".level", -20, 200);
        return build(path, () -> new HubBackup.Floor(id, name, level));
    }

    private static HubBackup.Room room(JsonNode value, String path) throws RefusedDocumentException {
        JsonNode room = object(value, path);
        String id = text(room.get("id"), path + ".id");
        String name = text(room.get("name"), path + ".name");
        Optional<String> floor = optional(room, "floor", path, HubConfigProjection::text);
        List<HubBackup.Member> devices = list(room, "devices", path + ".devices", HubConfigProjection::member);
        return build(path, () -> new HubBackup.Room(id, name, floor, devices));
    }

    private static HubBackup.Member member(JsonNode value, String path) throws RefusedDocumentException {
        JsonNode device = object(value, path);
        String node = nodeId(device.get("node"), path + ".node");
        int endpoint = (int) integer(device.get("endpoint"), path + ".endpoint", 0, 0xFFFE);
        return build(path, () -> new HubBackup.Member(node, endpoint));
    }

    /** Reads one entry at {@code path}. */
    @FunctionalInterface
    private interface Reader<T> {
        T read(JsonNode value, String path) throws RefusedDocumentException;
    }

    /** Builds a record, turning its own bound checks into a refusal at {@code path}. */
    private static <T> T build(String path, Supplier<T> builder) throws RefusedDocumentException {
        try {
            return builder.get();
        } catch (IllegalArgumentException outOfBounds) {
            throw new RefusedDocumentException(path, outOfBounds.getMessage());
        }
    }

    private static <T> List<T> list(JsonNode parent, String field, String path, Reader<T> reader)
            throws RefusedDocumentException {
        JsonNode items = parent.get(field);
        if (items == null) {
            return List.of();
        }
        if (!items.isArray()) {
            throw new RefusedDocumentException(path, "a list");
        }
        if (items.size() > 4096) {
            throw new RefusedDocumentException(path, "at most 4096 entries");
        }
        List<T> read = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String at = path + "[" + i + "]";
            read.add(reader.read(item, at));
        }
        return read;
    }

    private static <T> Optional<T> optional(JsonNode parent, String field, String path, Reader<T> reader)
            throws RefusedDocumentException {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        return Optional.of(reader.read(value, path + "." + field));
    }

    private static long integer(JsonNode value, String path, long min, long max) throws RefusedDocumentException {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
                || value.longValue() < min || value.longValue() > max) {
            throw new RefusedDocumentException(path, "an integer from " + min + " to " + max);
        }
        return value.longValue();
    }

    private static String text(JsonNode value, String path) throws RefusedDocumentException {
        if (value == null || !value.isTextual()) {
            throw new RefusedDocumentException(path, "a string");
        }
        return value.textValue();
    }

    private static String nodeId(JsonNode value, String path) throws RefusedDocumentException {
        String text = text(value, path);
        if (!HEX_NODE.matcher(text).matches()) {
            throw new RefusedDocumentException(path, "a node id of 1 to 16 hex digits");
        }
        return "0".repeat(16 - text.length()) + text.toUpperCase(Locale.ROOT);
    }

    private static JsonNode object(JsonNode value, String path) throws RefusedDocumentException {
        if (!value.isObject()) {
            throw new RefusedDocumentException(path, "an object");
        }
        return value;
    }
}
