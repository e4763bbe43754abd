package io.ora.portal.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ora.portal.plans.SvgPolicy.Refusal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Whatever arrives as a floor plan is judged without an exception escaping {@link FileType#sniff}; generated static
 * drawings (Inkscape-like trees of allowed elements, attributes, styles and text) are accepted, and the same
 * drawings with one forbidden construct put anywhere are refused, for that construct and not as broken XML.
 */
class SvgPolicyPropertiesTest {

    /** One piece of an element's content: a child element or XML written out as is. */
    sealed interface Content permits Element, Raw {
    }

    record Raw(String xml) implements Content {
    }

    /** An element; attribute values are XML attribute text (already escaped), kept in order by name. */
    record Element(String name, Map<String, String> attributes, List<Content> content) implements Content {

        boolean isDrawing() {
            return !name.contains(":");
        }
    }

    /** How one generated element is made: what it is, what it carries and where in the tree it goes. */
    record ElementSpec(String name, List<Map.Entry<String, String>> attributes, boolean linked,
                       Optional<String> text, int parentSeed) {
    }

    enum Where { PROLOG, CHILD, ATTRIBUTE, DECLARATION, EDITOR_ATTRIBUTE }

    /** A construct the policy forbids, where it can be put, and the refusal it must get there. */
    record Forbidden(Where where, String xml, Refusal why) {
        @Override
        public String toString() {
            return where + " " + xml;
        }
    }

    /** A generated drawing: element 0 is the root, element 1 Inkscape's named view. */
    record Drawing(boolean declared, List<Element> elements) {

        String render() {
            return render(null, 0, 0);
        }

        /** The drawing with {@code forbidden} put into the element that {@code target} picks, at {@code at}. */
        String render(Forbidden forbidden, int target, int at) {
            List<Element> copies = new ArrayList<>();
            Element root = copy(elements.get(0), copies);
            String prolog = "";
            if (forbidden != null) {
                List<Element> candidates = switch (forbidden.where()) {
                    case ATTRIBUTE, DECLARATION -> copies.stream().filter(Element::isDrawing).toList();
                    case EDITOR_ATTRIBUTE -> copies.stream().filter(e -> !e.isDrawing()).toList();
                    default -> copies;
                };
                Element chosen = candidates.get(target % candidates.size());
                switch (forbidden.where()) {
                    case PROLOG -> prolog = forbidden.xml();
                    case CHILD -> chosen.content().add(at % (chosen.content().size() + 1), new Raw(forbidden.xml()));
                    case ATTRIBUTE, EDITOR_ATTRIBUTE -> {
                        int equals = forbidden.xml().indexOf('=');
                        chosen.attributes().put(forbidden.xml().substring(0, equals),
                                forbidden.xml().substring(equals + 2, forbidden.xml().length() - 1));
                    }
                    case DECLARATION -> chosen.attributes().merge("style", forbidden.xml(), (a, b) -> a + ";" + b);
                }
            }
            StringBuilder out = new StringBuilder();
            if (declared) {
                out.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
            }
            out.append(prolog);
            write(root, out);
            return out.toString();
        }

        private Element copy(Element element, List<Element> copies) {
            Element copy = new Element(element.name(), new LinkedHashMap<>(element.attributes()), new ArrayList<>());
            copies.add(copy);
            for (Content content : element.content()) {
                copy.content().add(content instanceof Element child ? copy(child, copies) : content);
            }
            return copy;
        }

        private void write(Element element, StringBuilder out) {
            out.append('<').append(element.name());
            element.attributes().forEach((name, value) -> out.append(' ').append(name).append("=\"").append(value)
                    .append('"'));
            out.append('>');
            for (Content content : element.content()) {
                if (content instanceof Element child) {
                    write(child, out);
                } else {
                    out.append(((Raw) content).xml());
                }
            }
            out.append("</").append(element.name()).append('>');
        }
    }

    static final String METADATA = "<metadata id=\"metadata1\"><rdf:RDF><cc:Work rdf:about=\"\"><dc:format>"
            + "image/svg+xml</dc:format><dc:type rdf:resource=\"http://purl.org/dc/dcmitype/StillImage\"/>"
            + "<dc:title>Plan</dc:title></cc:Work></rdf:RDF></metadata>";

    static final List<String> ELEMENTS = List.of("g", "rect", "circle", "ellipse", "path", "polygon", "text",
            "tspan", "use", "linearGradient", "radialGradient", "stop", "pattern", "symbol", "defs", "title", "desc",
            "marker", "clipPath", "mask", "switch", "filter", "feGaussianBlur", "feOffset", "feFlood", "image",
            "inkscape:grid", "sodipodi:guide");

    static final List<Map.Entry<String, String>> ATTRIBUTES = List.of(
            Map.entry("id", "a"), Map.entry("id", "layer1"), Map.entry("class", "wall"),
            Map.entry("fill", "url(#a)"), Map.entry("fill", "none"), Map.entry("fill", "rgb(10, 20, 30)"),
            Map.entry("fill", "url(&quot;#a&quot;)"), Map.entry("stroke", "hsl(200, 50%, 40%)"),
            Map.entry("stroke-width", "0.264583"), Map.entry("opacity", ".5"),
            Map.entry("transform", "translate(-10,20) rotate(45) scale(2)"),
            Map.entry("transform", "matrix(1 0 0 1 0 0)"), Map.entry("x", "10"), Map.entry("width", "100%"),
            Map.entry("d", "M 0,0 C 10,10 20,10 30,0 Z"), Map.entry("points", "0,0 10,0 10,10"),
            Map.entry("offset", "0.5"), Map.entry("stdDeviation", "2"), Map.entry("xml:space", "preserve"),
            Map.entry("xml:lang", "de"), Map.entry("xlink:title", "Hall (east) &amp; stairs"),
            Map.entry("inkscape:label", "Kitchen @ north (v2)"), Map.entry("inkscape:groupmode", "layer"),
            Map.entry("sodipodi:nodetypes", "ccc"), Map.entry("inkscape:connector-curvature", "0"));

    static final List<String> DECLARATIONS = List.of("fill:#000000", "fill-opacity:1", "stroke:url(#a)",
            "stroke-width:0.5px", "font-family:'DejaVu Sans', sans-serif", "font-size:6.35px",
            "-inkscape-font-specification:'DejaVu Sans, Bold'", "font-variation-settings:normal",
            "paint-order:markers stroke fill", "line-height:1.25", "text-anchor:middle", "opacity:0.8 !important",
            " display : inline ", "stop-color:rgba(0,0,0,0.5)", "marker-end:url('#a')", "");

    static final List<String> TEXTS = List.of("Kitchen", "3.0 × 2.5 m", "&lt;script&gt;alert(1)&lt;/script&gt;",
            "javascript:alert(1)", "url(https://evil.example/x) @import", "é € 漢字", "&#106;&#x61;vascript:",
            "<![CDATA[<set attributeName='onclick'/>]]>", "<!-- <script>alert(1)</script> -->", "\n  ");

    static final List<Forbidden> FORBIDDEN = List.of(
            new Forbidden(Where.PROLOG, "<!DOCTYPE svg [<!ENTITY x \"y\">]>", Refusal.DOCTYPE),
            new Forbidden(Where.PROLOG, "<!DOCTYPE svg SYSTEM \"https://evil.example/svg.dtd\">", Refusal.DOCTYPE),
            new Forbidden(Where.PROLOG, "<?xml-stylesheet href=\"https://evil.example/x.css\"?>",
                    Refusal.PROCESSING_INSTRUCTION),
            new Forbidden(Where.CHILD, "<?xml-stylesheet href=\"x.css\"?>", Refusal.PROCESSING_INSTRUCTION),
            new Forbidden(Where.CHILD, "<script>alert(1)</script>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<animate attributeName=\"href\" values=\"&#106;avascript:alert(1)\"/>",
                    Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<set attributeName=\"onmouseover\" to=\"alert(1)\"/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<style>@import url(https://evil.example/x.css)</style>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<style>rect { fill: red }</style>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<animateTransform attributeName=\"transform\" type=\"rotate\"/>",
                    Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<animateMotion dur=\"1s\"/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<discard/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<foreignObject/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<a href=\"#a\"/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<feImage href=\"#a\"/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script>",
                    Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<iframe xmlns=\"http://www.w3.org/1999/xhtml\"/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<x:widget xmlns:x=\"urn:example:widgets\"/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<rdf:RDF/>", Refusal.ELEMENT),
            new Forbidden(Where.CHILD, "<use href=\"javascript:alert(1)\"/>", Refusal.REFERENCE),
            new Forbidden(Where.CHILD, "<use href=\"&#106;avascript:alert(1)\"/>", Refusal.REFERENCE),
            new Forbidden(Where.CHILD, "<use xlink:href=\"https://evil.example/s.svg#a\"/>", Refusal.REFERENCE),
            new Forbidden(Where.CHILD, "<image href=\"https://evil.example/x.png\"/>", Refusal.REFERENCE),
            new Forbidden(Where.CHILD, "<image href=\"data:image/svg+xml;base64,PHN2Zy8+\"/>", Refusal.REFERENCE),
            new Forbidden(Where.CHILD, "&x;", Refusal.ENTITY_REFERENCE),
            new Forbidden(Where.ATTRIBUTE, "onload=\"alert(1)\"", Refusal.ATTRIBUTE),
            new Forbidden(Where.ATTRIBUTE, "onmouseover=\"alert(1)\"", Refusal.ATTRIBUTE),
            new Forbidden(Where.ATTRIBUTE, "xml:base=\"https://evil.example/\"", Refusal.ATTRIBUTE),
            new Forbidden(Where.ATTRIBUTE, "attributeName=\"href\"", Refusal.ATTRIBUTE),
            new Forbidden(Where.ATTRIBUTE, "xlink:show=\"new\"", Refusal.ATTRIBUTE),
            new Forbidden(Where.ATTRIBUTE, "href=\"javascript:alert(1)\"", Refusal.REFERENCE),
            new Forbidden(Where.ATTRIBUTE, "xlink:href=\"&#106;avascript:alert(1)\"", Refusal.REFERENCE),
            new Forbidden(Where.ATTRIBUTE, "style=\"fill:url(https://evil.example/x)\"", Refusal.VALUE),
            new Forbidden(Where.ATTRIBUTE, "style=\"behavior:url(#a)\"", Refusal.STYLE),
            new Forbidden(Where.ATTRIBUTE, "fill=\"url(https://evil.example/x)\"", Refusal.VALUE),
            new Forbidden(Where.ATTRIBUTE, "filter=\"url(data:image/svg+xml,x)\"", Refusal.VALUE),
            new Forbidden(Where.ATTRIBUTE, "mask=\"image(#a)\"", Refusal.VALUE),
            new Forbidden(Where.ATTRIBUTE, "inkscape:label=\"url(https://evil.example/x)\"", Refusal.VALUE),
            new Forbidden(Where.DECLARATION, "fill:url(https://evil.example/x)", Refusal.VALUE),
            new Forbidden(Where.DECLARATION, "fill:u\\72l(https://evil.example/x)", Refusal.VALUE),
            new Forbidden(Where.DECLARATION, "stroke:expression(alert(1))", Refusal.VALUE),
            new Forbidden(Where.DECLARATION, "fill:/**/red", Refusal.VALUE),
            new Forbidden(Where.DECLARATION, "font-family:x @import", Refusal.VALUE),
            new Forbidden(Where.DECLARATION, "background-image:url(#a)", Refusal.STYLE),
            new Forbidden(Where.DECLARATION, "--paint:red", Refusal.STYLE),
            new Forbidden(Where.DECLARATION, "@import 'x'", Refusal.STYLE),
            new Forbidden(Where.EDITOR_ATTRIBUTE, "onload=\"alert(1)\"", Refusal.ATTRIBUTE),
            new Forbidden(Where.EDITOR_ATTRIBUTE, "xml:base=\"https://evil.example/\"", Refusal.ATTRIBUTE),
            new Forbidden(Where.EDITOR_ATTRIBUTE, "xlink:href=\"#a\"", Refusal.ATTRIBUTE),
            new Forbidden(Where.EDITOR_ATTRIBUTE, "pagecolor=\"url(https://evil.example/x)\"", Refusal.VALUE));

    static final List<String> MUTATIONS = List.of("<", ">", "&", "&#", "&#0;", "]]>", "<!DOCTYPE x>", "\"", "'",
            "<?", "<!--", "\u0000", "\uFFFE", "\uD800", "xmlns=\"\"", "<svg>", "</g>", "é");

    @Property
    void generatedStaticDrawingsAreAccepted(@ForAll("drawings") Drawing drawing) {
        byte[] document = drawing.render().getBytes(StandardCharsets.UTF_8);
        assertThat(SvgPolicy.refusal(document)).isEmpty();
        assertThat(FileType.sniff(document)).hasValue(FileType.SVG);
    }

    @Property
    void aForbiddenConstructAnywhereIsRefusedForWhatItIs(@ForAll("drawings") Drawing drawing,
                                                          @ForAll("forbidden") Forbidden forbidden,
                                                          @ForAll @IntRange(max = 10_000) int target,
                                                          @ForAll @IntRange(max = 10_000) int at) {
        byte[] document = drawing.render(forbidden, target, at).getBytes(StandardCharsets.UTF_8);
        assertThat(SvgPolicy.refusal(document)).hasValue(forbidden.why());
        assertThat(FileType.sniff(document)).isEmpty();
    }

    @Property
    void mutatedDrawingsAreJudgedWithoutAnException(@ForAll("drawings") Drawing drawing,
                                                     @ForAll @Size(max = 5) List<@IntRange(max = 100_000) Integer> at,
                                                     @ForAll @Size(max = 5) List<@IntRange(max = 1_000) Integer> what) {
        StringBuilder mutated = new StringBuilder(drawing.render());
        for (int i = 0; i < Math.min(at.size(), what.size()); i++) {
            int position = at.get(i) % (mutated.length() + 1);
            int choice = what.get(i);
            if (choice % 3 == 0) {
                mutated.setLength(position);
            } else if (choice % 3 == 1 && position < mutated.length()) {
                mutated.deleteCharAt(position);
            } else {
                mutated.insert(position, MUTATIONS.get(choice % MUTATIONS.size()));
            }
        }
        byte[] document = mutated.toString().getBytes(StandardCharsets.UTF_8);
        judgedCleanly(document);
    }

    @Property
    void arbitraryBytesAreJudgedWithoutAnException(@ForAll @Size(max = 2_000) byte[] anything) {
        judgedCleanly(anything);
    }

    @Property
    void arbitraryTextAfterAnSvgRootIsJudgedWithoutAnException(@ForAll @StringLength(max = 500) String anything) {
        judgedCleanly((SvgPolicyTest.OPEN + anything).getBytes(StandardCharsets.UTF_8));
    }

    /** Answered without an exception, and {@code sniff} says SVG exactly when the policy accepts the bytes. */
    private static void judgedCleanly(byte[] document) {
        assertThatCode(() -> FileType.sniff(document)).doesNotThrowAnyException();
        Optional<FileType> type = FileType.sniff(document);
        if (type.isEmpty() || type.get() == FileType.SVG) {
            assertThat(type.isPresent()).isEqualTo(SvgPolicy.refusal(document).isEmpty());
        }
    }

    @Provide
    Arbitrary<Forbidden> forbidden() {
        return Arbitraries.of(FORBIDDEN);
    }

    @Provide
    Arbitrary<Drawing> drawings() {
        Arbitrary<Map.Entry<String, String>> style = Arbitraries.of(DECLARATIONS).list().ofMinSize(1).ofMaxSize(6)
                .map(declarations -> Map.entry("style", String.join(";", declarations)));
        Arbitrary<ElementSpec> element = Combinators.combine(Arbitraries.of(ELEMENTS),
                Arbitraries.oneOf(Arbitraries.of(ATTRIBUTES), style).list().ofMaxSize(5),
                Arbitraries.of(true, false), Arbitraries.of(TEXTS).optional(),
                Arbitraries.integers().between(0, 10_000)).as(ElementSpec::new);
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                element.list().ofMaxSize(25)).as(SvgPolicyPropertiesTest::drawing);
    }

    static Drawing drawing(boolean declared, boolean metadata, List<ElementSpec> specs) {
        Map<String, String> rootAttributes = new LinkedHashMap<>();
        rootAttributes.put("xmlns", "http://www.w3.org/2000/svg");
        rootAttributes.put("xmlns:xlink", "http://www.w3.org/1999/xlink");
        rootAttributes.put("xmlns:inkscape", "http://www.inkscape.org/namespaces/inkscape");
        rootAttributes.put("xmlns:sodipodi", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd");
        rootAttributes.put("xmlns:rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#");
        rootAttributes.put("xmlns:cc", "http://creativecommons.org/ns#");
        rootAttributes.put("xmlns:dc", "http://purl.org/dc/elements/1.1/");
        rootAttributes.put("viewBox", "0 0 210 297");
        rootAttributes.put("inkscape:version", "1.3.2 (091e20e, 2023-11-25)");
        List<Element> elements = new ArrayList<>();
        Element root = new Element("svg", rootAttributes, new ArrayList<>());
        elements.add(root);
        Map<String, String> view = new LinkedHashMap<>(Map.of("id", "namedview1", "pagecolor", "#ffffff",
                "only_selected", "false", "inkscape:zoom", "0.72"));
        Element namedView = new Element("sodipodi:namedview", view, new ArrayList<>());
        root.content().add(namedView);
        elements.add(namedView);
        if (metadata) {
            root.content().add(new Raw(METADATA));
        }
        for (ElementSpec spec : specs) {
            Map<String, String> attributes = new LinkedHashMap<>();
            for (Map.Entry<String, String> attribute : spec.attributes()) {
                // An editor element takes no XLink attribute; the rest of the pool is inert on one.
                if (!spec.name().contains(":") || !attribute.getKey().startsWith("xlink:")) {
                    attributes.put(attribute.getKey(), attribute.getValue());
                }
            }
            if (spec.linked()) {
                link(spec.name(), attributes);
            }
            Element child = new Element(spec.name(), attributes, new ArrayList<>());
            spec.text().ifPresent(text -> child.content().add(new Raw(text)));
            Element parent = elements.get(spec.parentSeed() % elements.size());
            parent.content().add(child);
            elements.add(child);
        }
        return new Drawing(declared, elements);
    }

    /** A reference of the kind the element takes: a local one, or on an image an embedded PNG. */
    private static void link(String element, Map<String, String> attributes) {
        if (element.equals("image")) {
            attributes.put("xlink:href", "data:image/png;base64,iVBORw0KGgo=");
        } else if (SvgPolicy.REFERRING.contains(element)) {
            attributes.put(element.length() % 2 == 0 ? "href" : "xlink:href", "#a");
        }
    }
}
