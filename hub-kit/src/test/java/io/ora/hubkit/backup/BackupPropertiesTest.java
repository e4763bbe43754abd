package io.ora.hubkit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ora.core.backup.BackupEnvelope;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of the whole backup path with real crypto: what the allow-list lets through, what survives a seal and
 * an open, and what any change to an envelope does. The Argon2id root is derived once for the class (about 1.5 s);
 * each try then costs only HKDF, XChaCha20-Poly1305 and JSON.
 *
 * <p>Models are generated as {@link HubBackup} records and written out as {@code ora.hub-config/1} documents the way
 * a hub might: node ids in any case and without leading zeros, empty lists left out, absent optionals as
 * {@code null} or missing. So projecting a document is checked against the model it was written from.
 */
class BackupPropertiesTest {

    private static final JsonMapper JSON = new JsonMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** In every string and most names of the extra fields, and in nothing the model generates. */
    private static final String MARK = "§";
    private static final long MAX_BYTES = 1 << 20;

    /** The fields the projection reads, by the kind of object that holds them (docs/backup.md). */
    private static final Set<String> ROOT = Set.of("schema", "matter", "floors", "rooms");
    private static final Set<String> MATTER = Set.of("nodes");
    private static final Set<String> NODE = Set.of("nodeId", "vendorId", "productId", "endpoints");
    private static final Set<String> ENDPOINT = Set.of("endpoint", "deviceTypes", "serverClusters",
            "clientClusters", "bindings");
    private static final Set<String> DEVICE_TYPE = Set.of("deviceType", "revision");
    private static final Set<String> BINDING = Set.of("node", "endpoint", "group", "cluster");
    private static final Set<String> FLOOR = Set.of("id", "name", "level");
    private static final Set<String> ROOM = Set.of("id", "name", "floor", "devices");
    private static final Set<String> MEMBER = Set.of("node", "endpoint");
    private static final List<String> LISTED = Stream.of(ROOT, MATTER, NODE, ENDPOINT, DEVICE_TYPE, BINDING, FLOOR,
            ROOM, MEMBER).flatMap(Set::stream).distinct().sorted().toList();

    /**
     * Names a hub's configuration really holds that nothing reads (docs/backup.md lists them as dropped), and the
     * backup's own field names, which must not be picked up from a configuration either.
     */
    private static final List<String> HELD = List.of("hub", "personas", "shadowIdentities", "lifecycle", "label",
            "labels", "commissionedAt", "commissionedBy", "createdAt", "updatedAt", "owner", "homeowner", "",
            "format", "topology", "layout", "id", "nodeId", "members");
    /** A text, a number, null, and containers holding listed-looking fields. */
    private static final List<JsonNode> SAMPLE_VALUES = Stream.of("\"§text\"", "7", "null",
            "{\"id\":\"§x\",\"name\":\"§X\",\"level\":1,\"node\":\"DEC0DE\",\"endpoint\":1}",
            "[{\"nodeId\":\"DEC0DE\",\"vendorId\":1,\"productId\":2}]").map(BackupPropertiesTest::parse).toList();

    private static final SecureRandom RANDOM = new SecureRandom();
    private static BackupKeys keys;
    private static byte[] shortEnvelope;

    @BeforeContainer
    static void deriveOnce() {
        keys = BackupKeys.derive(RecoveryKey.generate(RANDOM));
        shortEnvelope = BackupSeal.seal(keys, "{\"format\":\"ora.hub-backup/1\"}".getBytes(StandardCharsets.UTF_8),
                RANDOM).bytes();
    }

    /** Project, canonical JSON, seal, open, read back: the same model, and the same bytes, at every step. */
    @Property(tries = 200)
    void theModelSurvivesProjectionSealingAndRestoreByteExact(@ForAll("backups") HubBackup model,
                                                              @ForAll Random random) throws Exception {
        HubBackup projected = HubConfigProjection.project(bytes(configDocument(model, random, new Listed())));
        assertThat(projected).isEqualTo(model);
        byte[] canonical = projected.toJson();

        byte[] restored = openedPlaintext(BackupSeal.seal(keys, canonical, RANDOM).bytes());

        assertThat(restored).isEqualTo(canonical);
        HubBackup read = HubBackup.fromJson(restored);
        assertThat(read).isEqualTo(model);
        assertThat(read.toJson()).isEqualTo(canonical);
    }

    /**
     * Fields nobody listed, anywhere in the document, with any value (names the projection reads at another level,
     * decoys shaped like nodes and rooms, deep objects and arrays) change nothing in what is sealed.
     */
    @Property(tries = 150)
    void extraFieldsAtAnyDepthNeverReachThePlaintext(
            @ForAll("backups") HubBackup model, @ForAll Random random,
            @ForAll @Size(min = 1, max = 12) List<@From("extras") Extra> extras) throws Exception {
        Listed listed = new Listed();
        ObjectNode document = configDocument(model, random, listed);
        byte[] clean = bytes(document);
        int injected = 0;
        for (Extra extra : extras) {
            injected += extra.injectInto(document, listed) ? 1 : 0;
        }
        assertThat(injected).isPositive();
        byte[] withExtras = bytes(document);

        HubBackup fromClean = HubConfigProjection.project(clean);
        HubBackup fromExtras = HubConfigProjection.project(withExtras);
        byte[] restored = openedPlaintext(BackupSeal.seal(keys, fromExtras.toJson(), RANDOM).bytes());

        assertThat(fromExtras).isEqualTo(fromClean).isEqualTo(model);
        assertThat(restored).isEqualTo(fromClean.toJson());
        assertThat(new String(restored, StandardCharsets.UTF_8)).doesNotContain(MARK);
    }

    /**
     * Exhaustive where the random property above is thin: into one object of each kind (root, matter, node,
     * endpoint, device type, binding, floor, room, device) of a full document, every name the projection reads
     * somewhere else and every name a hub really holds, with values of several JSON kinds. A
     * projection that read one such name in one more place (a room's {@code label}, a binding's {@code nodeId})
     * fails here, where a random draw would seldom hit that one pair.
     */
    @Property(tries = 4)
    void everyNameReadElsewhereIsIgnoredInEveryObject(@ForAll("fullBackups") HubBackup model,
                                                      @ForAll Random random) throws Exception {
        Listed listed = new Listed();
        ObjectNode document = configDocument(model, random, listed);
        byte[] expected = HubConfigProjection.project(bytes(document)).toJson();
        List<String> leaked = new ArrayList<>();
        for (ObjectNode object : listed.oneOfEachKind(random)) {
            for (String name : Stream.concat(LISTED.stream(), HELD.stream()).distinct().toList()) {
                if (listed.at(object).contains(name) || object.has(name)) {
                    continue;
                }
                for (JsonNode value : SAMPLE_VALUES) {
                    object.set(name, value);
                    if (!Arrays.equals(HubConfigProjection.project(bytes(document)).toJson(), expected)) {
                        leaked.add(name + " in an object with " + listed.at(object));
                    }
                    object.remove(name);
                }
            }
        }
        assertThat(leaked).isEmpty();
    }

    /**
     * Every byte of an envelope, every non-zero change of it: refused, and refused for the reason its field gives
     * (docs/backup.md, "The envelope"); a change to salt, nonce or ciphertext is an envelope that is not authentic.
     */
    @Example
    void everyChangeToEveryByteIsRefusedForItsField() {
        List<String> wrong = new ArrayList<>();
        for (int position = 0; position < shortEnvelope.length; position++) {
            for (int xor = 1; xor < 256; xor++) {
                byte[] changed = shortEnvelope.clone();
                changed[position] ^= (byte) xor;
                BackupSeal.Opened opened = BackupSeal.open(keys, changed, MAX_BYTES);
                if (!refusalsAt(position).contains(opened)) {
                    wrong.add("byte " + position + " ^ " + xor + ": " + opened.getClass().getSimpleName());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** The same for envelopes of any plaintext size, a random position and change each. */
    @Property(tries = 300)
    void anyChangedByteOfAnyEnvelopeIsRefused(@ForAll @Size(max = 2048) byte[] plaintext,
                                              @ForAll @IntRange(min = 0, max = 1 << 16) int at,
                                              @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] sealed = BackupSeal.seal(keys, plaintext, RANDOM).bytes();
        int position = at % sealed.length;
        sealed[position] ^= (byte) xor;

        assertThat(BackupSeal.open(keys, sealed, MAX_BYTES)).isIn(refusalsAt(position));
    }

    /** What a change at {@code position} may be answered with: never the plaintext. */
    private static List<BackupSeal.Opened> refusalsAt(int position) {
        if (position < 6) {
            return List.of(malformed(BackupEnvelope.Defect.NOT_AN_ENVELOPE));
        }
        if (position == 6) {
            return List.of(malformed(BackupEnvelope.Defect.UNKNOWN_VERSION));
        }
        if (position < 15) {
            return List.of(malformed(BackupEnvelope.Defect.UNKNOWN_KDF));
        }
        if (position == 31) {
            return List.of(malformed(BackupEnvelope.Defect.UNKNOWN_AEAD));
        }
        if (position >= 56 && position < BackupEnvelope.HEADER_BYTES) {
            return List.of(malformed(BackupEnvelope.Defect.TRUNCATED),
                    malformed(BackupEnvelope.Defect.LENGTH_MISMATCH));
        }
        return List.of(new BackupSeal.Opened.NotAuthentic());
    }

    private static BackupSeal.Opened malformed(BackupEnvelope.Defect defect) {
        return new BackupSeal.Opened.Malformed(defect);
    }

    private static byte[] openedPlaintext(byte[] envelope) {
        BackupSeal.Opened opened = BackupSeal.open(keys, envelope, MAX_BYTES);
        assertThat(opened).isInstanceOf(BackupSeal.Opened.Plaintext.class);
        return ((BackupSeal.Opened.Plaintext) opened).bytes();
    }

    // ---- the model -------------------------------------------------------------------------------------------

    /**
     * Valid models. Rooms are drawn apart from what they refer to and then pointed at floors and endpoints that
     * exist (by index), so no generator depends on another: jqwik's {@code flatMap} would rebuild generators per try.
     */
    @Provide
    Arbitrary<HubBackup> backups() {
        return backups(0);
    }

    /** Models with at least one of everything (node, endpoint, device type, cluster, binding, floor, room, device). */
    @Provide
    Arbitrary<HubBackup> fullBackups() {
        return backups(1);
    }

    private static Arbitrary<HubBackup> backups(int least) {
        Arbitrary<HubBackup.Floor> floors = Combinators.combine(layoutIds(), names(),
                Arbitraries.integers().between(-20, 200)).as(HubBackup.Floor::new);
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 100);
        Arbitrary<RoomDraft> rooms = Combinators.combine(layoutIds(), names(), index.optional(),
                index.list().ofMinSize(least).ofMaxSize(3)).as(RoomDraft::new);
        return Combinators.combine(nodes(least).list().ofMinSize(least).ofMaxSize(4)
                        .uniqueElements(HubBackup.Node::nodeId),
                floors.list().ofMinSize(least).ofMaxSize(3).uniqueElements(HubBackup.Floor::id),
                rooms.list().ofMinSize(least).ofMaxSize(3).uniqueElements(RoomDraft::id))
                .as(BackupPropertiesTest::backup);
    }

    /** A room whose floor and devices are indexes into what the model has. */
    record RoomDraft(String id, String name, Optional<Integer> floor, List<Integer> devices) {
    }

    private static HubBackup backup(List<HubBackup.Node> nodes, List<HubBackup.Floor> floors, List<RoomDraft> drafts) {
        List<HubBackup.Member> members = nodes.stream()
                .flatMap(node -> node.endpoints().stream().map(e -> new HubBackup.Member(node.nodeId(), e.id())))
                .toList();
        List<HubBackup.Room> rooms = drafts.stream().map(draft -> new HubBackup.Room(draft.id(), draft.name(),
                draft.floor().filter(i -> !floors.isEmpty()).map(i -> floors.get(i % floors.size()).id()),
                draft.devices().stream().filter(i -> !members.isEmpty()).map(i -> members.get(i % members.size()))
                        .distinct().toList())).toList();
        return new HubBackup(new HubBackup.Topology(nodes), new HubBackup.Layout(floors, rooms));
    }

    private static Arbitrary<HubBackup.Node> nodes(int least) {
        Arbitrary<Integer> ids = Arbitraries.integers().between(0, 0xFFFF);
        return Combinators.combine(nodeIds(), ids, ids, endpoints(least).list().ofMinSize(least).ofMaxSize(3)
                .uniqueElements(HubBackup.Endpoint::id)).as(HubBackup.Node::new);
    }

    private static Arbitrary<HubBackup.Endpoint> endpoints(int least) {
        Arbitrary<HubBackup.DeviceType> types = Combinators.combine(Arbitraries.longs().between(0, 0xFFFF_FFFFL),
                Arbitraries.integers().between(1, 0xFFFF)).as(HubBackup.DeviceType::new);
        Arbitrary<List<Long>> clusters = clusterIds().list().ofMinSize(least).ofMaxSize(4).uniqueElements();
        return Combinators.combine(endpointIds(), types.list().ofMinSize(least).ofMaxSize(2), clusters, clusters,
                bindings().list().ofMinSize(least).ofMaxSize(2)).as(HubBackup.Endpoint::new);
    }

    private static Arbitrary<HubBackup.Binding> bindings() {
        Arbitrary<HubBackup.Binding> toNode = Combinators.combine(nodeIds(), endpointIds(), clusterIds().optional())
                .as((node, endpoint, cluster) -> new HubBackup.Binding(Optional.of(node), Optional.of(endpoint),
                        Optional.empty(), cluster));
        Arbitrary<HubBackup.Binding> toGroup = Combinators.combine(Arbitraries.integers().between(1, 0xFFFF),
                clusterIds().optional()).as((group, cluster) -> new HubBackup.Binding(Optional.empty(),
                Optional.empty(), Optional.of(group), cluster));
        return Arbitraries.oneOf(toNode, toGroup);
    }

    private static Arbitrary<String> nodeIds() {
        return Arbitraries.longs().map(id -> String.format("%016X", id));
    }

    private static Arbitrary<Integer> endpointIds() {
        return Arbitraries.integers().between(0, 0xFFFE);
    }

    private static Arbitrary<Long> clusterIds() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    private static Arbitrary<String> layoutIds() {
        return Arbitraries.strings().alpha().numeric().withChars('-', '_').ofMinLength(1).ofMaxLength(12);
    }

    /** Printable names as people give them, with quotes, backslashes, non-ASCII letters and a non-BMP emoji. */
    private static Arbitrary<String> names() {
        Arbitrary<String> text = Arbitraries.strings().alpha().numeric().withChars(" äöüßéÆ漢字\"\\'/<>&{}[]:,.")
                .ofMinLength(1).ofMaxLength(20);
        return Combinators.combine(text, Arbitraries.of("", "", "☀", "\uD83C\uDFE0")).as(String::concat)
                .filter(name -> !name.isBlank());
    }

    // ---- the document the hub holds ---------------------------------------------------------------------------

    /** Which fields the projection reads in each object of a generated document, by identity. */
    private static final class Listed {
        private final Map<JsonNode, Set<String>> byObject = new IdentityHashMap<>();

        ObjectNode object(Set<String> listed) {
            ObjectNode object = NODES.objectNode();
            byObject.put(object, listed);
            return object;
        }

        /** One object, picked at random, of each kind the document holds: the projection reads all alike. */
        List<ObjectNode> oneOfEachKind(Random random) {
            Map<Set<String>, List<ObjectNode>> byKind = new IdentityHashMap<>();
            byObject.forEach((object, kind) -> byKind.computeIfAbsent(kind, k -> new ArrayList<>())
                    .add((ObjectNode) object));
            return byKind.values().stream().map(all -> all.get(random.nextInt(all.size()))).toList();
        }

        /** Fields the projection would read here; none inside a field nobody reads. */
        Set<String> at(JsonNode object) {
            return byObject.getOrDefault(object, Set.of());
        }
    }

    private static ObjectNode configDocument(HubBackup model, Random random, Listed listed) {
        ObjectNode root = listed.object(ROOT);
        root.put("schema", HubConfigProjection.SCHEMA);
        ArrayNode nodes = NODES.arrayNode();
        for (HubBackup.Node node : model.topology().nodes()) {
            ObjectNode out = listed.object(NODE);
            out.put("nodeId", spelled(node.nodeId(), random));
            out.put("vendorId", node.vendorId());
            out.put("productId", node.productId());
            list(out, "endpoints", node.endpoints(), endpoint -> endpoint(endpoint, random, listed), random);
            nodes.add(out);
        }
        if (!nodes.isEmpty() || random.nextBoolean()) {
            ObjectNode matter = listed.object(MATTER);
            matter.set("nodes", nodes);
            root.set("matter", matter);
        }
        list(root, "floors", model.layout().floors(), floor -> {
            ObjectNode out = listed.object(FLOOR);
            out.put("id", floor.id());
            out.put("name", floor.name());
            out.put("level", floor.level());
            return out;
        }, random);
        list(root, "rooms", model.layout().rooms(), room -> {
            ObjectNode out = listed.object(ROOM);
            out.put("id", room.id());
            out.put("name", room.name());
            optional(out, "floor", room.floor().map(NODES::textNode), random);
            list(out, "devices", room.devices(), member -> {
                ObjectNode device = listed.object(MEMBER);
                device.put("node", spelled(member.node(), random));
                device.put("endpoint", member.endpoint());
                return device;
            }, random);
            return out;
        }, random);
        return root;
    }

    private static ObjectNode endpoint(HubBackup.Endpoint endpoint, Random random, Listed listed) {
        ObjectNode out = listed.object(ENDPOINT);
        out.put("endpoint", endpoint.id());
        list(out, "deviceTypes", endpoint.deviceTypes(), type -> {
            ObjectNode typeOut = listed.object(DEVICE_TYPE);
            typeOut.put("deviceType", type.id());
            typeOut.put("revision", type.revision());
            return typeOut;
        }, random);
        list(out, "serverClusters", endpoint.serverClusters(), NODES::numberNode, random);
        list(out, "clientClusters", endpoint.clientClusters(), NODES::numberNode, random);
        list(out, "bindings", endpoint.bindings(), binding -> {
            ObjectNode bindingOut = listed.object(BINDING);
            optional(bindingOut, "node", binding.node().map(node -> NODES.textNode(spelled(node, random))), random);
            optional(bindingOut, "endpoint", binding.endpoint().map(NODES::numberNode), random);
            optional(bindingOut, "group", binding.group().map(NODES::numberNode), random);
            optional(bindingOut, "cluster", binding.cluster().map(NODES::numberNode), random);
            return bindingOut;
        }, random);
        return out;
    }

    /** A listed list; an empty one is as often left out, which the projection reads the same. */
    private static <T> void list(ObjectNode parent, String field, List<T> items, Function<T, JsonNode> write,
                                 Random random) {
        if (items.isEmpty() && random.nextBoolean()) {
            return;
        }
        ArrayNode array = parent.putArray(field);
        items.forEach(item -> array.add(write.apply(item)));
    }

    /** An absent optional is left out or written as {@code null}. */
    private static void optional(ObjectNode parent, String field, Optional<JsonNode> value, Random random) {
        if (value.isPresent()) {
            parent.set(field, value.get());
        } else if (random.nextBoolean()) {
            parent.putNull(field);
        }
    }

    /** A node id as a hub may write it: leading zeros dropped or kept, either case. */
    private static String spelled(String nodeId, Random random) {
        String digits = nodeId.replaceFirst("^0+(?=.)", "");
        String padded = "0".repeat(random.nextInt(16 - digits.length() + 1)) + digits;
        return random.nextBoolean() ? padded.toLowerCase(Locale.ROOT) : padded;
    }

    private static byte[] bytes(JsonNode document) throws Exception {
        return JSON.writeValueAsBytes(document);
    }

    // ---- the extra fields --------------------------------------------------------------------------------------

    /**
     * One field nobody listed: {@code target} picks the object (depth first over the whole document, the extras put
     * in before included), and the name is moved on to the next object where the projection would not read it.
     */
    record Extra(int target, String name, JsonNode value) {
        boolean injectInto(ObjectNode document, Listed listed) {
            List<ObjectNode> objects = new ArrayList<>();
            collect(document, objects);
            for (int i = 0; i < objects.size(); i++) {
                ObjectNode object = objects.get((target + i) % objects.size());
                if (!listed.at(object).contains(name) && !object.has(name)) {
                    object.set(name, value.deepCopy());
                    return true;
                }
            }
            return false;
        }

        private static void collect(JsonNode node, List<ObjectNode> objects) {
            if (node instanceof ObjectNode object) {
                objects.add(object);
            }
            node.elements().forEachRemaining(child -> collect(child, objects));
        }
    }

    @Provide
    Arbitrary<Extra> extras() {
        return Combinators.combine(Arbitraries.integers().between(0, 1000), extraNames(), extraValues())
                .as(Extra::new);
    }

    /** Names read elsewhere (the wrong level), names hubs really hold, and arbitrary marked ones. */
    private static Arbitrary<String> extraNames() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of(LISTED)),
                Tuple.of(3, Arbitraries.of(HELD)),
                Tuple.of(3, Arbitraries.strings().ofMaxLength(12).map(MARK::concat)));
    }

    private static Arbitrary<JsonNode> extraValues() {
        return Arbitraries.recursive(BackupPropertiesTest::scalars, inner -> Arbitraries.oneOf(inner,
                Arbitraries.maps(extraNames(), inner).ofMaxSize(3).map(BackupPropertiesTest::object),
                inner.list().ofMaxSize(3).map(BackupPropertiesTest::array)), 0, 3);
    }

    private static Arbitrary<JsonNode> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.just(NODES.nullNode()),
                Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                        .map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.strings().ofMaxLength(20).map(text -> NODES.textNode(MARK + text)),
                decoys());
    }

    /** Values shaped like what the projection keeps, so that only their place says they are not to be read. */
    private static Arbitrary<JsonNode> decoys() {
        return Arbitraries.of(
                "{\"nodeId\":\"DEC0DE\",\"vendorId\":1,\"productId\":2,\"endpoints\":[{\"endpoint\":7}]}",
                "{\"nodes\":[{\"nodeId\":\"DEC0DE\",\"vendorId\":1,\"productId\":2}]}",
                "[{\"id\":\"§room\",\"name\":\"§Attic\",\"devices\":[]}]",
                "{\"id\":\"§floor\",\"name\":\"§Roof\",\"level\":9}",
                "{\"schema\":\"ora.hub-config/1\",\"floors\":[{\"id\":\"§f\",\"name\":\"§F\",\"level\":1}]}",
                "{\"format\":\"ora.hub-backup/1\",\"layout\":{},\"topology\":{}}")
                .map(BackupPropertiesTest::parse);
    }

    private static JsonNode object(Map<String, JsonNode> fields) {
        ObjectNode object = NODES.objectNode();
        object.setAll(fields);
        return object;
    }

    private static JsonNode array(List<JsonNode> items) {
        ArrayNode array = NODES.arrayNode();
        array.addAll(items);
        return array;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
