package io.ora.hubkit.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a backup may hold, and nothing else: the home's Matter node topology and its room layout (docs/backup.md,
 * "What a backup holds"). No field here names a person, a hub, a time or a history; {@link HubConfigProjection} is
 * the only way in from a hub's configuration, and it copies listed fields only.
 *
 * <p>Every record checks its own bounds and the whole checks references (a room's floor exists, a room's device is
 * an endpoint of the topology, ids are unique), so a backup that exists is a valid one, however it was built. The
 * {@linkplain #toJson() JSON form} is canonical (keys sorted, absent optionals omitted, no whitespace): what is
 * sealed is exactly what {@link #fromJson} reads back, byte for byte.
 */
public record HubBackup(Topology topology, Layout layout) {

    /** The plaintext's format name; a restore refuses any other. */
    public static final String FORMAT = "ora.hub-backup/1";
    public static final int MAX_NODES = 1024;
    public static final int MAX_ENDPOINTS = 256;
    public static final int MAX_DEVICE_TYPES = 32;
    public static final int MAX_CLUSTERS = 256;
    public static final int MAX_BINDINGS = 256;
    public static final int MAX_FLOORS = 64;
    public static final int MAX_ROOMS = 512;
    public static final int MAX_MEMBERS = 1024;
    public static final int MAX_NAME_CODE_POINTS = 64;

    private static final Pattern NODE_ID = Pattern.compile("[0-9A-F]{16}");
    private static final Pattern LAYOUT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .addModule(new Jdk8Module())
            .serializationInclusion(JsonInclude.Include.NON_ABSENT)
            .build();

    public HubBackup {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(layout, "layout");
        Set<String> endpoints = new HashSet<>();
        for (Node node : topology.nodes()) {
            for (Endpoint endpoint : node.endpoints()) {
                endpoints.add(node.nodeId() + "/" + endpoint.id());
            }
        }
        Set<String> floors = new HashSet<>();
        layout.floors().forEach(floor -> floors.add(floor.id()));
        for (Room room : layout.rooms()) {
            if (room.floor().isPresent() && !floors.contains(room.floor().get())) {
                throw new IllegalArgumentException("room " + room.id() + " is on a floor the layout does not have");
            }
            for (Member member : room.devices()) {
                if (!endpoints.contains(member.node() + "/" + member.endpoint())) {
                    throw new IllegalArgumentException("room " + room.id() + " holds an endpoint the topology does"
                            + " not have");
                }
            }
        }
    }

    /** The Matter nodes of the home. */
    public record Topology(List<Node> nodes) {
        public Topology {
            nodes = bounded(nodes, MAX_NODES, "nodes");
            unique(nodes.stream().map(Node::nodeId).toList(), "node ids");
        }
    }

    /**
     * A commissioned Matter node.
     *
     * @param nodeId the operational node id, 16 upper-case hex digits
     */
    public record Node(String nodeId, int vendorId, int productId, List<Endpoint> endpoints) {
        public Node {
            checkNodeId(nodeId, "nodeId");
            checkRange(vendorId, 0, 0xFFFF, "vendorId");
            checkRange(productId, 0, 0xFFFF, "productId");
            endpoints = bounded(endpoints, MAX_ENDPOINTS, "endpoints");
            unique(endpoints.stream().map(Endpoint::id).toList(), "endpoint ids");
        }
    }

    /** An endpoint: what it is, which clusters it serves and uses, what it is bound to. */
    public record Endpoint(int id, List<DeviceType> deviceTypes, List<Long> serverClusters,
                           List<Long> clientClusters, List<Binding> bindings) {
        public Endpoint {
            checkRange(id, 0, 0xFFFE, "endpoint");
            deviceTypes = bounded(deviceTypes, MAX_DEVICE_TYPES, "deviceTypes");
            serverClusters = clusters(serverClusters, "serverClusters");
            clientClusters = clusters(clientClusters, "clientClusters");
            bindings = bounded(bindings, MAX_BINDINGS, "bindings");
        }
    }

    /** A Matter device type on an endpoint, and its revision. */
    public record DeviceType(long id, int revision) {
        public DeviceType {
            checkRange(id, 0, 0xFFFF_FFFFL, "deviceType");
            checkRange(revision, 1, 0xFFFF, "revision");
        }
    }

    /**
     * A binding entry: to a node's endpoint, or to a group; optionally for one cluster only.
     */
    public record Binding(Optional<String> node, Optional<Integer> endpoint, Optional<Integer> group,
                          Optional<Long> cluster) {
        public Binding {
            node = Objects.requireNonNullElse(node, Optional.empty());
            endpoint = Objects.requireNonNullElse(endpoint, Optional.empty());
            group = Objects.requireNonNullElse(group, Optional.empty());
            cluster = Objects.requireNonNullElse(cluster, Optional.empty());
            boolean toNode = node.isPresent() && endpoint.isPresent();
            boolean toGroup = group.isPresent() && node.isEmpty() && endpoint.isEmpty();
            if (!toNode && !toGroup) {
                throw new IllegalArgumentException("a binding names either a node and an endpoint, or a group");
            }
            node.ifPresent(id -> checkNodeId(id, "binding node"));
            endpoint.ifPresent(id -> checkRange(id, 0, 0xFFFE, "binding endpoint"));
            group.ifPresent(id -> checkRange(id, 1, 0xFFFF, "binding group"));
            cluster.ifPresent(id -> checkRange(id, 0, 0xFFFF_FFFFL, "binding cluster"));
        }
    }

    /** Floors and rooms. */
    public record Layout(List<Floor> floors, List<Room> rooms) {
        public Layout {
            floors = bounded(floors, MAX_FLOORS, "floors");
            rooms = bounded(rooms, MAX_ROOMS, "rooms");
            unique(floors.stream().map(Floor::id).toList(), "floor ids");
            unique(rooms.stream().map(Room::id).toList(), "room ids");
        }
    }

    /** A floor; {@code level} 0 is the ground floor, negative ones are below it. */
    public record Floor(String id, String name, int level) {
        public Floor {
            checkLayoutId(id, "floor id");
            checkName(name, "floor name");
            checkRange(level, -20, 200, "level");
        }
    }

    /** A room, the floor it is on, and the endpoints in it. */
    public record Room(String id, String name, Optional<String> floor, List<Member> devices) {
        public Room {
            checkLayoutId(id, "room id");
            checkName(name, "room name");
            floor = Objects.requireNonNullElse(floor, Optional.empty());
            floor.ifPresent(f -> checkLayoutId(f, "room floor"));
            devices = bounded(devices, MAX_MEMBERS, "devices");
            unique(devices.stream().map(m -> m.node() + "/" + m.endpoint()).toList(), "room devices");
        }
    }

    /** An endpoint placed in a room. */
    public record Member(String node, int endpoint) {
        public Member {
            checkNodeId(node, "device node");
            checkRange(endpoint, 0, 0xFFFE, "device endpoint");
        }
    }

    /** The canonical JSON form, UTF-8: the plaintext that is sealed. */
    public byte[] toJson() {
        try {
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.set("layout", JSON.valueToTree(layout));
            root.set("topology", JSON.valueToTree(topology));
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("a backup always serialises", impossible);
        }
    }

    /**
     * Reads a restored plaintext. Only the canonical form of this format is accepted: unknown or duplicated fields,
     * another format name, or anything out of bounds is refused, so what is rebuilt is exactly what was sealed.
     *
     * @throws IllegalArgumentException when the bytes are not such a backup (the message quotes no content)
     */
    public static HubBackup fromJson(byte[] json) {
        HubBackup backup;
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject() || root.size() != 3 || !root.path("format").isTextual()
                    || !FORMAT.equals(root.get("format").textValue())) {
                throw new IllegalArgumentException("the restored plaintext is not a backup of format " + FORMAT);
            }
            backup = new HubBackup(JSON.treeToValue(root.get("topology"), Topology.class),
                    JSON.treeToValue(root.get("layout"), Layout.class));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the restored plaintext is not a backup of format " + FORMAT);
        }
        if (!Arrays.equals(backup.toJson(), json)) {
            throw new IllegalArgumentException("the restored plaintext is not in the canonical form");
        }
        return backup;
    }

    private static <T> List<T> bounded(List<T> items, int max, String what) {
        if (items == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        if (items.size() > max) {
            throw new IllegalArgumentException(what + " has more than " + max + " entries");
        }
        if (items.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(what + " has an empty entry");
        }
        return List.copyOf(items);
    }

    private static List<Long> clusters(List<Long> clusters, String what) {
        List<Long> copy = bounded(clusters, MAX_CLUSTERS, what);
        copy.forEach(id -> checkRange(id, 0, 0xFFFF_FFFFL, what));
        unique(copy, what);
        return copy;
    }

    private static void unique(List<?> values, String what) {
        if (new HashSet<>(values).size() != values.size()) {
            throw new IllegalArgumentException(what + " are not unique");
        }
    }

    private static void checkRange(long value, long min, long max, String what) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be between " + min + " and " + max);
        }
    }

    private static void checkNodeId(String id, String what) {
        if (id == null || !NODE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException(what + " must be 16 upper-case hex digits");
        }
    }

    private static void checkLayoutId(String id, String what) {
        if (id == null || !LAYOUT_ID.matcher(id).matches()) {
            throw new IllegalArgumentException(what + " must be 1 to 64 letters, digits, '-' or '_'");
        }
    }

    /** A name people gave a room or floor: printable text only, so nothing hides in control or format characters. */
    private static void checkName(String name, String what) {
        if (name == null || name.isBlank() || name.codePointCount(0, name.length()) > MAX_NAME_CODE_POINTS) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX_NAME_CODE_POINTS + " characters");
        }
        boolean printable = name.codePoints().allMatch(c -> switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        });
        if (!printable) {
            throw new IllegalArgumentException(what + " holds characters that are not printable text");
        }
    }
}
