package io.ora.portal.plans;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The SVG the portal accepts as a floor plan: a static drawing, decided by an allow-list over a real XML parser
 * (docs/portal.md, "Plans"). Every element, attribute, reference and style declaration must be one the policy
 * knows to be inert; whatever it does not know is refused, so a construct nobody thought of is refused too.
 *
 * <p>Why an allow-list: a deny-list of patterns over the text loses to every way SVG can say the same thing —
 * character references ({@code &#106;avascript:}), attribute animation ({@code <set>} writing an event handler or an
 * {@code href}), style sheets ({@code @import}, {@code url()}), processing instructions that load style sheets,
 * XHTML elements that execute inside an SVG document. Values are checked as the parser hands them over, after
 * character and predefined entity references are decoded, which is how a browser sees them too.
 *
 * <p>What the policy guarantees for an accepted document:
 * <ul>
 *   <li>It is well-formed XML 1.0 in UTF-8 (declared so or not declared), with no DOCTYPE, no entity other than
 *       the predefined ones and character references, and no processing instruction; the root is {@code svg} in the
 *       SVG namespace and elements nest at most {@value #MAX_DEPTH} deep.</li>
 *   <li>Every SVG element is a static drawing element ({@link #ELEMENTS}): no script, animation, link ({@code a}),
 *       {@code foreignObject}, {@code style} element or {@code feImage}. The filter primitives are the few that
 *       drop shadows, blurs and glows use; the others (lighting, turbulence, convolution, displacement) are left
 *       out as costly to render and of no use to a plan, {@code feImage} because it loads a URL or an element.</li>
 *   <li>Every attribute of an SVG element is a geometry, structure, text or presentation attribute
 *       ({@link #ATTRIBUTES}), {@code style}, {@code xml:space}, {@code xml:lang}, {@code xlink:title} or an
 *       {@code href}; so no event handler and no {@code xml:base}. Animation attributes are absent, and those that
 *       filters share with animation ({@code values}, {@code type}) are inert without an animation element.</li>
 *   <li>An {@code href} (plain or XLink) is a same-document reference {@code #id}, and only on the elements that
 *       use one ({@link #REFERRING}); on {@code image} it is a base64 {@code data:} URI of a PNG, JPEG, GIF or
 *       WebP, never a URL and never another SVG.</li>
 *   <li>A value is a CSS or SVG value whose only function is {@code url(#id)}, {@code rgb}, {@code rgba},
 *       {@code hsl} or {@code hsla} (transform attributes: the six transform functions), with no backslash (a CSS
 *       escape could spell {@code url}), no {@code @}, no braces and no CSS comment. A {@code style} attribute is a
 *       list of declarations whose properties are presentation or text properties ({@link #PROPERTIES}, including
 *       those Inkscape writes), each value by the same rule.</li>
 *   <li>Inkscape and Sodipodi elements and attributes, which no user agent interprets, are allowed as editor
 *       metadata, as is RDF, Dublin Core and Creative Commons content inside {@code metadata}; their values are
 *       free text, but an event-handler name is refused even there and {@code url()} is local there too, so both
 *       rules hold for the whole document.</li>
 * </ul>
 *
 * <p>Any input is answered, never thrown at the caller: a document the parser cannot read is refused like any
 * other. The policy never says what it found, so the caller cannot echo upload content by accident.
 */
final class SvgPolicy {

    /** Why a document is not an accepted static drawing; for tests and reasoning, not for the uploader. */
    enum Refusal {
        /** The bytes are not UTF-8, or the XML declaration names another encoding. */
        ENCODING,
        /** Not well-formed XML 1.0 (including truncated input and XML 1.1). */
        NOT_XML,
        /** A DOCTYPE: DTDs declare entities (expansion bombs, external entities) and defaults. */
        DOCTYPE,
        /** A processing instruction, e.g. {@code xml-stylesheet}, which loads a style sheet. */
        PROCESSING_INSTRUCTION,
        /** An entity reference that is neither predefined nor a character reference. */
        ENTITY_REFERENCE,
        /** The root is not {@code svg} in the SVG namespace. */
        ROOT,
        /** An element not on the allow-list, or from a namespace that is not allowed where it stands. */
        ELEMENT,
        /** An attribute not on the allow-list. */
        ATTRIBUTE,
        /** An {@code href} that is not a local reference (or, on {@code image}, a raster data URI). */
        REFERENCE,
        /** A value with a function, URL or character that values may not carry. */
        VALUE,
        /** A {@code style} declaration whose property is not allowed, or that is not {@code property: value}. */
        STYLE,
        /** Elements nested deeper than {@value #MAX_DEPTH}. */
        TOO_DEEP
    }

    static final int MAX_DEPTH = 256;

    private static final String SVG = "http://www.w3.org/2000/svg";
    private static final String XLINK = "http://www.w3.org/1999/xlink";
    private static final Set<String> EDITOR_NAMESPACES = Set.of(
            "http://www.inkscape.org/namespaces/inkscape",
            "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd");
    private static final String RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static final Set<String> METADATA_NAMESPACES = Set.of(RDF,
            "http://purl.org/dc/elements/1.1/",
            "http://purl.org/dc/terms/",
            "http://creativecommons.org/ns#",
            "http://web.resource.org/cc/");

    /** Static drawing elements of the SVG namespace. */
    static final Set<String> ELEMENTS = Set.of(
            "svg", "g", "defs", "title", "desc", "metadata", "symbol", "use", "switch",
            "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "image",
            "text", "tspan", "textPath",
            "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
            "filter", "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix", "feComposite", "feFlood",
            "feMerge", "feMergeNode", "feMorphology");

    /** The elements whose {@code href} names another element of the same document. */
    static final Set<String> REFERRING = Set.of(
            "use", "textPath", "linearGradient", "radialGradient", "pattern", "filter");

    /**
     * Presentation and text properties, allowed both as {@code style} declarations and as presentation attributes:
     * SVG's own, the CSS text and font properties SVG 2 renders, and those Inkscape writes.
     */
    static final Set<String> PROPERTIES = Set.of(
            "alignment-baseline", "baseline-shift", "block-progression", "clip", "clip-path", "clip-rule", "color",
            "color-interpolation", "color-interpolation-filters", "color-rendering", "direction", "display",
            "dominant-baseline", "enable-background", "fill", "fill-opacity", "fill-rule", "filter", "flood-color",
            "flood-opacity", "font", "font-family", "font-feature-settings", "font-kerning", "font-size",
            "font-size-adjust", "font-stretch", "font-style", "font-variant", "font-variant-caps",
            "font-variant-east-asian", "font-variant-ligatures", "font-variant-numeric", "font-variant-position",
            "font-variation-settings", "font-weight", "glyph-orientation-horizontal", "glyph-orientation-vertical",
            "image-rendering", "inline-size", "isolation", "kerning", "letter-spacing", "lighting-color",
            "line-height", "marker", "marker-end", "marker-mid", "marker-start", "mask", "mix-blend-mode",
            "opacity", "overflow", "paint-order", "pointer-events", "shape-inside", "shape-margin", "shape-padding",
            "shape-rendering", "solid-color", "solid-opacity", "stop-color", "stop-opacity", "stroke",
            "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
            "stroke-opacity", "stroke-width", "text-align", "text-anchor", "text-decoration",
            "text-decoration-color", "text-decoration-line", "text-decoration-style", "text-indent",
            "text-orientation", "text-rendering", "text-transform", "transform-origin", "unicode-bidi",
            "vector-effect", "visibility", "white-space", "word-spacing", "writing-mode",
            "-inkscape-font-specification", "-inkscape-stroke");

    /** Attributes without a namespace that an SVG element may carry besides {@code style} and {@code href}. */
    static final Set<String> ATTRIBUTES = union(PROPERTIES, Set.of(
            "id", "class", "lang", "version", "baseProfile", "x", "y", "width", "height", "viewBox",
            "preserveAspectRatio", "transform", "systemLanguage", "requiredFeatures",
            "d", "points", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "pathLength",
            "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side",
            "gradientUnits", "gradientTransform", "spreadMethod", "offset", "patternUnits", "patternContentUnits",
            "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits",
            "refX", "refY", "markerUnits", "markerWidth", "markerHeight", "orient",
            "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "edgeMode", "mode", "type",
            "values", "operator", "k1", "k2", "k3", "k4", "radius"));

    private static final Set<String> TRANSFORM_ATTRIBUTES = Set.of(
            "transform", "gradientTransform", "patternTransform");
    private static final Set<String> CSS_FUNCTIONS = Set.of("rgb", "rgba", "hsl", "hsla");
    private static final Set<String> TRANSFORM_FUNCTIONS = Set.of(
            "matrix", "translate", "scale", "rotate", "skewx", "skewy");

    private static final String ID = "[\\p{L}\\p{N}_.:-]+";
    private static final Pattern LOCAL_REFERENCE = Pattern.compile("#" + ID);
    /** What may stand between the parentheses of {@code url(...)}: a local reference, quoted or not. */
    private static final Pattern LOCAL_URL = Pattern.compile("\\s*(?:#" + ID + "|\"#" + ID + "\"|'#" + ID + "')\\s*");
    private static final Pattern EVENT_HANDLER_NAME = Pattern.compile("(?i)on[a-z]+");
    private static final Pattern RASTER_DATA_PREFIX = Pattern.compile("data:image/(?:png|jpeg|gif|webp);base64,");

    private SvgPolicy() {
    }

    /** Why {@code content} is not an SVG the portal accepts, or empty if it is one. */
    static Optional<Refusal> refusal(byte[] content) {
        // The parser reads the bytes as UTF-8 whatever the declaration says, and a browser decodes them the same
        // way only if they are UTF-8 and nothing declares otherwise (checked at the start of the document).
        if (!isUtf8(content)) {
            return Optional.of(Refusal.ENCODING);
        }
        try {
            XMLStreamReader reader = factory().createXMLStreamReader(new ByteArrayInputStream(content), "UTF-8");
            return new Walk(reader).refusal();
        } catch (XMLStreamException | RuntimeException unreadable) {
            // The parser's contract names XMLStreamException, but fed hostile bytes it is not trusted to keep to it;
            // however reading fails, what the document would mean is unknown, so it is refused (closed, not open).
            return Optional.of(Refusal.NOT_XML);
        }
    }

    private static XMLInputFactory factory() {
        // The JDK's own StAX parser, never one found on the class path; a new factory each time because a
        // factory's thread safety is not promised.
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // Unreplaced, an entity reference surfaces as an event and is refused; predefined entities and character
        // references are decoded by the parser whatever this says.
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        return factory;
    }

    private static boolean isUtf8(byte[] content) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content));
            return true;
        } catch (CharacterCodingException notUtf8) {
            return false;
        }
    }

    /** One pass over one document's events; it keeps the depth and whether it is inside {@code metadata}. */
    private static final class Walk {

        private final XMLStreamReader reader;
        private int depth;
        /** The depth of the outermost open {@code metadata} element, 0 outside one. */
        private int metadataDepth;

        Walk(XMLStreamReader reader) {
            this.reader = reader;
        }

        Optional<Refusal> refusal() throws XMLStreamException {
            String version = reader.getVersion();
            String encoding = reader.getCharacterEncodingScheme();
            if (version != null && !version.equals("1.0")) {
                return Optional.of(Refusal.NOT_XML);
            }
            if (encoding != null && !encoding.equalsIgnoreCase("UTF-8")) {
                return Optional.of(Refusal.ENCODING);
            }
            boolean rootSeen = false;
            while (reader.hasNext()) {
                int event = reader.next();
                Optional<Refusal> refused = switch (event) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        Optional<Refusal> element = rootSeen ? startElement() : root();
                        rootSeen = true;
                        yield element;
                    }
                    case XMLStreamConstants.END_ELEMENT -> endElement();
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE,
                         XMLStreamConstants.COMMENT, XMLStreamConstants.END_DOCUMENT -> Optional.empty();
                    case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_DECLARATION,
                         XMLStreamConstants.NOTATION_DECLARATION -> Optional.of(Refusal.DOCTYPE);
                    case XMLStreamConstants.PROCESSING_INSTRUCTION -> Optional.of(Refusal.PROCESSING_INSTRUCTION);
                    case XMLStreamConstants.ENTITY_REFERENCE -> Optional.of(Refusal.ENTITY_REFERENCE);
                    // An event a stream reader does not produce for a document: fail closed.
                    default -> Optional.of(Refusal.NOT_XML);
                };
                if (refused.isPresent()) {
                    return refused;
                }
            }
            return rootSeen ? Optional.empty() : Optional.of(Refusal.NOT_XML);
        }

        private Optional<Refusal> root() {
            if (!SVG.equals(reader.getNamespaceURI()) || !reader.getLocalName().equals("svg")) {
                return Optional.of(Refusal.ROOT);
            }
            return startElement();
        }

        private Optional<Refusal> startElement() {
            depth++;
            if (depth > MAX_DEPTH) {
                return Optional.of(Refusal.TOO_DEEP);
            }
            String namespace = namespace(reader.getNamespaceURI());
            String name = reader.getLocalName();
            Kind kind;
            if (namespace.equals(SVG) && ELEMENTS.contains(name)) {
                kind = Kind.DRAWING;
                if (name.equals("metadata") && metadataDepth == 0) {
                    metadataDepth = depth;
                }
            } else if (EDITOR_NAMESPACES.contains(namespace)) {
                kind = Kind.EDITOR;
            } else if (METADATA_NAMESPACES.contains(namespace) && metadataDepth > 0) {
                kind = Kind.METADATA;
            } else {
                return Optional.of(Refusal.ELEMENT);
            }
            for (int i = 0; i < reader.getAttributeCount(); i++) {
                Optional<Refusal> refused = attribute(kind, name, namespace(reader.getAttributeNamespace(i)),
                        reader.getAttributeLocalName(i), reader.getAttributeValue(i));
                if (refused.isPresent()) {
                    return refused;
                }
            }
            return Optional.empty();
        }

        private Optional<Refusal> endElement() {
            if (depth == metadataDepth) {
                metadataDepth = 0;
            }
            depth--;
            return Optional.empty();
        }
    }

    /** What an allowed element is, which decides the attributes it may carry. */
    private enum Kind {
        /** An SVG drawing element: attributes from the allow-list, values by the value rules. */
        DRAWING,
        /**
         * An Inkscape or Sodipodi element: its own unqualified parameters (grid spacing, page colour, path-effect
         * settings, an open-ended set that no user agent interprets) and editor attributes; event handler names
         * are refused all the same, so that no accepted document carries one anywhere.
         */
        EDITOR,
        /** RDF, Dublin Core or Creative Commons inside {@code metadata}: RDF's attributes ({@code rdf:about}). */
        METADATA
    }

    /** One attribute of an element of {@code kind} named {@code element}. */
    private static Optional<Refusal> attribute(Kind kind, String element, String namespace, String name,
                                               String value) {
        if (namespace.equals(XMLConstants.XML_NS_URI)) {
            // Not xml:base, which would make every relative reference (and url(#id)) point elsewhere.
            return name.equals("space") || name.equals("lang") ? Optional.empty() : Optional.of(Refusal.ATTRIBUTE);
        }
        if (EDITOR_NAMESPACES.contains(namespace)) {
            return inertValue(value);
        }
        return switch (kind) {
            case DRAWING -> namespace.isEmpty() ? drawingAttribute(element, name, value)
                    : namespace.equals(XLINK) ? xlinkAttribute(element, name, value)
                    : Optional.of(Refusal.ATTRIBUTE);
            case EDITOR -> namespace.isEmpty() && !isEventHandlerName(name) ? inertValue(value)
                    : Optional.of(Refusal.ATTRIBUTE);
            case METADATA -> namespace.equals(RDF) ? inertValue(value) : Optional.of(Refusal.ATTRIBUTE);
        };
    }

    private static Optional<Refusal> drawingAttribute(String element, String name, String value) {
        if (name.equals("href")) {
            return reference(element, value);
        }
        if (name.equals("style")) {
            return style(value);
        }
        if (!ATTRIBUTES.contains(name)) {
            return Optional.of(Refusal.ATTRIBUTE);
        }
        Set<String> functions = TRANSFORM_ATTRIBUTES.contains(name) ? TRANSFORM_FUNCTIONS : CSS_FUNCTIONS;
        return isAllowedValue(value, functions) ? Optional.empty() : Optional.of(Refusal.VALUE);
    }

    private static Optional<Refusal> xlinkAttribute(String element, String name, String value) {
        return switch (name) {
            case "href" -> reference(element, value);
            case "title" -> inertValue(value);
            default -> Optional.of(Refusal.ATTRIBUTE);
        };
    }

    /**
     * A value no user agent interprets (editor metadata, RDF, a tooltip title): free text, but {@code url()} in it
     * is a local reference as in every other value, so that the rule holds without exception.
     */
    private static Optional<Refusal> inertValue(String value) {
        for (int at = indexOfUrl(value, 0); at >= 0; at = indexOfUrl(value, at + 1)) {
            int open = at + "url".length();
            int close = value.indexOf(')', open);
            if (close < 0 || !LOCAL_URL.matcher(value.substring(open + 1, close)).matches()) {
                return Optional.of(Refusal.VALUE);
            }
        }
        return Optional.empty();
    }

    /** Where {@code url(} starts at or after {@code from}, in any letter case; -1 if nowhere. */
    private static int indexOfUrl(String value, int from) {
        for (int i = from; i + "url(".length() <= value.length(); i++) {
            if (value.regionMatches(true, i, "url(", 0, "url(".length())) {
                return i;
            }
        }
        return -1;
    }

    private static String namespace(String uri) {
        return uri == null ? "" : uri;
    }

    /** {@code on} and an event's name, as every event handler attribute is ({@code only_selected} is not one). */
    private static boolean isEventHandlerName(String name) {
        return EVENT_HANDLER_NAME.matcher(name).matches();
    }

    private static Optional<Refusal> reference(String element, String value) {
        boolean allowed = element.equals("image") ? isRasterDataUri(value)
                : REFERRING.contains(element) && LOCAL_REFERENCE.matcher(value).matches();
        return allowed ? Optional.empty() : Optional.of(Refusal.REFERENCE);
    }

    private static boolean isRasterDataUri(String value) {
        Matcher prefix = RASTER_DATA_PREFIX.matcher(value);
        if (!prefix.lookingAt()) {
            return false;
        }
        // Checked by hand rather than by a pattern: an embedded image is most of a large upload.
        for (int i = prefix.end(); i < value.length(); i++) {
            char c = value.charAt(i);
            boolean base64 = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '+' || c == '/' || c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
            if (!base64) {
                return false;
            }
        }
        return true;
    }

    /**
     * A {@code style} attribute, split at every {@code ;} (quotes included: a string containing one is then refused
     * as a malformed declaration, which is safe, and every character is checked either way).
     */
    private static Optional<Refusal> style(String declarations) {
        for (String declaration : declarations.split(";", -1)) {
            if (declaration.isBlank()) {
                continue;
            }
            int colon = declaration.indexOf(':');
            if (colon < 0 || !PROPERTIES.contains(declaration.substring(0, colon).strip().toLowerCase(Locale.ROOT))) {
                return Optional.of(Refusal.STYLE);
            }
            if (!isAllowedValue(declaration.substring(colon + 1), CSS_FUNCTIONS)) {
                return Optional.of(Refusal.VALUE);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a value calls no function but {@code functions} and {@code url(#id)}. Every {@code (} must follow an
     * allowed name directly: CSS has no whitespace or comment between a function's name and its parenthesis, and
     * a name the check does not see in full (a non-ASCII or escaped letter before it) is refused rather than
     * guessed. Comments are refused outright, since they can hide what a value is made of from a simple reading.
     */
    private static boolean isAllowedValue(String value, Set<String> functions) {
        if (value.contains("/*")) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '@' || c == '{' || c == '}') {
                return false;
            }
            if (c == '(') {
                String function = nameBefore(value, i);
                if (function.equals("url")) {
                    int close = value.indexOf(')', i);
                    if (close < 0 || !LOCAL_URL.matcher(value.substring(i + 1, close)).matches()) {
                        return false;
                    }
                    i = close;
                } else if (!functions.contains(function)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The ASCII identifier that ends right before {@code end}, lower-cased; empty if there is none or if a
     * non-ASCII character (which CSS reads as part of the name) stands before it.
     */
    private static String nameBefore(String value, int end) {
        int start = end;
        while (start > 0 && isNameCharacter(value.charAt(start - 1))) {
            start--;
        }
        if (start > 0 && value.charAt(start - 1) >= 0x80) {
            return "";
        }
        return value.substring(start, end).toLowerCase(Locale.ROOT);
    }

    private static boolean isNameCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        return Set.copyOf(all);
    }
}
