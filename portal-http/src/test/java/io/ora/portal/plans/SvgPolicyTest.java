package io.ora.portal.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.portal.plans.SvgPolicy.Refusal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SVG allow-list, case by case: the constructs a probe got past the old deny-list and their siblings are
 * refused for what they are (each one a small change to a document that is accepted), and real drawings pass.
 */
class SvgPolicyTest {

    static final String OPEN = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\""
            + " viewBox=\"0 0 10 10\"><rect id=\"a\" width=\"10\" height=\"10\"/>";

    /** A small document around {@code body}; with a harmless body it is accepted (see the first test). */
    static String svg(String body) {
        return OPEN + body + "</svg>";
    }

    static Optional<Refusal> judge(String document) {
        return SvgPolicy.refusal(document.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = SvgPolicyTest.class.getResourceAsStream("/floor-plans/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void theFrameTheRefusedCasesAreBuiltInIsItselfAccepted() {
        assertThat(judge(svg(""))).isEmpty();
        assertThat(judge(svg("<use href=\"#a\"/>"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hand-written.svg", "inkscape.svg"})
    void realisticDrawingsAreAccepted(String name) throws IOException {
        byte[] drawing = resource(name);
        assertThat(SvgPolicy.refusal(drawing)).isEmpty();
        assertThat(FileType.sniff(drawing)).hasValue(FileType.SVG);
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("a gradient fill by local url", svg("<rect fill=\"url(#a)\"/>")),
                Arguments.of("quoted local urls", svg("<rect style=\"fill:url('#a');stroke:url( &quot;#a&quot; )\"/>")),
                Arguments.of("an XLink reference", svg("<use xlink:href=\"#a\"/>")),
                Arguments.of("a local reference spelled with a character reference",
                        svg("<use href=\"&#x23;a\"/>")),
                Arguments.of("a style of several allowed properties", svg("<rect style=\"fill:#fff; stroke:"
                        + "rgb(0,0,0);stroke-width:2px;opacity:.5;FONT-SIZE:12px;paint-order:stroke;;\"/>")),
                Arguments.of("text that reads like markup, escaped",
                        svg("<text>&lt;script&gt;javascript:alert(1)&lt;/script&gt; &amp; url(https://x)</text>")),
                Arguments.of("a comment that mentions a script", svg("<!-- <script>alert(1)</script> -->")),
                Arguments.of("an embedded PNG", svg("<image href=\"data:image/png;base64,iVBORw0KGgo=\"/>")),
                Arguments.of("an XML declaration and a byte order mark",
                        "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>" + svg("")),
                Arguments.of("editor metadata as free text", svg("<g xmlns:i=\"http://www.inkscape.org/namespaces/"
                        + "inkscape\" i:label=\"Kitchen (north) @1\" i:export-filename=\"/home/me/plan.png\"/>")),
                Arguments.of("the allowed filter primitives", svg("<filter id=\"f\"><feColorMatrix type=\"matrix\""
                        + " values=\"1 0 0 0 0 0 1 0 0 0 0 0 1 0 0 0 0 0 1 0\"/><feMorphology operator=\"dilate\" "
                        + "radius=\"1\"/><feBlend mode=\"multiply\" in2=\"SourceGraphic\"/></filter>")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void staticDrawingConstructsAreAccepted(String what, String document) {
        assertThat(judge(document)).isEmpty();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                // The probe's four vectors.
                Arguments.of("an entity-encoded javascript: href written by animate", svg(
                        "<animate attributeName=\"href\" values=\"&#106;avascript:alert(1)\"/>"), Refusal.ELEMENT),
                Arguments.of("set writing an event handler", svg(
                        "<set attributeName=\"onmouseover\" to=\"alert(1)\"/>"), Refusal.ELEMENT),
                Arguments.of("a style element importing a sheet", svg(
                        "<style>@import url(https://evil.example/x.css)</style>"), Refusal.ELEMENT),
                Arguments.of("a style attribute with a remote url", svg(
                        "<rect style=\"fill:url(https://evil.example/x)\"/>"), Refusal.VALUE),
                // Their siblings.
                Arguments.of("an xml-stylesheet processing instruction",
                        "<?xml-stylesheet href=\"https://evil.example/x.css\"?>" + svg(""),
                        Refusal.PROCESSING_INSTRUCTION),
                Arguments.of("a processing instruction inside", svg("<?php echo 1; ?>"),
                        Refusal.PROCESSING_INSTRUCTION),
                Arguments.of("an XHTML script", svg(
                        "<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script>"), Refusal.ELEMENT),
                Arguments.of("an XHTML element by default namespace", svg(
                        "<div xmlns=\"http://www.w3.org/1999/xhtml\"/>"), Refusal.ELEMENT),
                Arguments.of("an SVG script", svg("<script>alert(1)</script>"), Refusal.ELEMENT),
                Arguments.of("javascript: in an XLink href on use", svg(
                        "<use xlink:href=\"javascript:alert(1)\"/>"), Refusal.REFERENCE),
                Arguments.of("javascript: spelled with character references", svg(
                        "<use href=\"&#106;&#x61;vascript:alert(1)\"/>"), Refusal.REFERENCE),
                Arguments.of("a remote sprite on use", svg(
                        "<use href=\"https://evil.example/sprite.svg#a\"/>"), Refusal.REFERENCE),
                Arguments.of("a remote image", svg(
                        "<image href=\"https://evil.example/x.png\"/>"), Refusal.REFERENCE),
                Arguments.of("an SVG as a data URI image", svg(
                        "<image xlink:href=\"data:image/svg+xml;base64,PHN2Zy8+\"/>"), Refusal.REFERENCE),
                Arguments.of("a local reference on an image", svg("<image href=\"#a\"/>"), Refusal.REFERENCE),
                Arguments.of("an href on an element that takes none", svg("<rect href=\"#a\"/>"),
                        Refusal.REFERENCE),
                Arguments.of("feImage", svg("<filter id=\"f\"><feImage href=\"#a\"/></filter>"), Refusal.ELEMENT),
                Arguments.of("a CSS escape spelling url", svg(
                        "<rect style=\"fill:u\\72l(https://evil.example/x)\"/>"), Refusal.VALUE),
                Arguments.of("a CSS comment inside a value", svg("<rect style=\"fill:u/**/rl(#a)\"/>"),
                        Refusal.VALUE),
                Arguments.of("a remote url in a presentation attribute", svg(
                        "<rect filter=\"url('https://evil.example/f.svg#f')\"/>"), Refusal.VALUE),
                Arguments.of("expression()", svg("<rect style=\"fill:expression(alert(1))\"/>"), Refusal.VALUE),
                Arguments.of("a CSS function outside the list", svg("<rect fill=\"image-set(#a 1x)\"/>"),
                        Refusal.VALUE),
                Arguments.of("an at-rule inside a style value", svg("<rect style=\"fill:red;stroke:#000 @import\"/>"),
                        Refusal.VALUE),
                Arguments.of("a style property outside the list", svg("<rect style=\"behavior:url(#a)\"/>"),
                        Refusal.STYLE),
                Arguments.of("a custom property", svg("<rect style=\"--paint:url(https://evil.example/x)\"/>"),
                        Refusal.STYLE),
                Arguments.of("a declaration without a property", svg("<rect style=\"fill:red;@import 'x'\"/>"),
                        Refusal.STYLE),
                Arguments.of("a transform attribute calling something else", svg(
                        "<rect transform=\"translate(1) url(#a) expression(1)\"/>"), Refusal.VALUE),
                Arguments.of("a DOCTYPE with an external entity", "<!DOCTYPE svg [<!ENTITY x SYSTEM "
                        + "\"file:///etc/passwd\">]>" + svg("<text>&x;</text>"), Refusal.DOCTYPE),
                Arguments.of("an external DTD", "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
                        + "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">" + svg(""), Refusal.DOCTYPE),
                Arguments.of("an undeclared entity", svg("<text>&x;</text>"), Refusal.ENTITY_REFERENCE),
                Arguments.of("xml:base", svg("<g xml:base=\"https://evil.example/\"><use href=\"#a\"/></g>"),
                        Refusal.ATTRIBUTE),
                Arguments.of("an element of an unknown namespace", svg(
                        "<x:widget xmlns:x=\"urn:example:widgets\"/>"), Refusal.ELEMENT),
                Arguments.of("a link, even a local one", svg("<a href=\"#a\"><rect/></a>"), Refusal.ELEMENT),
                Arguments.of("foreignObject", svg("<foreignObject><p>x</p></foreignObject>"), Refusal.ELEMENT),
                Arguments.of("an iframe", svg("<iframe src=\"https://evil.example/\"/>"), Refusal.ELEMENT),
                Arguments.of("animateTransform", svg("<animateTransform attributeName=\"transform\"/>"),
                        Refusal.ELEMENT),
                Arguments.of("animateMotion", svg("<animateMotion path=\"M0 0\"/>"), Refusal.ELEMENT),
                Arguments.of("discard", svg("<discard begin=\"0s\"/>"), Refusal.ELEMENT),
                Arguments.of("an event handler on the root", "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                        + "onload=\"alert(1)\"/>", Refusal.ATTRIBUTE),
                Arguments.of("an event handler on a shape", svg("<rect onclick=\"alert(1)\"/>"), Refusal.ATTRIBUTE),
                Arguments.of("an attribute in the SVG namespace", svg(
                        "<rect xmlns:s=\"http://www.w3.org/2000/svg\" s:onload=\"alert(1)\"/>"), Refusal.ATTRIBUTE),
                Arguments.of("an XLink attribute other than href and title", svg(
                        "<rect xlink:show=\"new\"/>"), Refusal.ATTRIBUTE),
                Arguments.of("an event handler on an editor element", svg(
                        "<i:grid xmlns:i=\"http://www.inkscape.org/namespaces/inkscape\" onload=\"alert(1)\"/>"),
                        Refusal.ATTRIBUTE),
                Arguments.of("a remote url in editor metadata", svg("<g xmlns:i=\"http://www.inkscape.org/"
                        + "namespaces/inkscape\" i:label=\"URL(https://evil.example/x)\"/>"), Refusal.VALUE),
                Arguments.of("RDF outside metadata", svg(
                        "<r:RDF xmlns:r=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>"), Refusal.ELEMENT),
                Arguments.of("an XHTML script inside metadata", svg("<metadata><h:script xmlns:h="
                        + "\"http://www.w3.org/1999/xhtml\">alert(1)</h:script></metadata>"), Refusal.ELEMENT),
                Arguments.of("a root outside the SVG namespace", "<svg><rect/></svg>", Refusal.ROOT),
                Arguments.of("an HTML root", "<html xmlns=\"http://www.w3.org/1999/xhtml\"><svg "
                        + "xmlns=\"http://www.w3.org/2000/svg\"/></html>", Refusal.ROOT),
                Arguments.of("XML 1.1", "<?xml version=\"1.1\"?>" + svg(""), Refusal.NOT_XML),
                Arguments.of("another declared encoding", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                        + svg(""), Refusal.ENCODING),
                Arguments.of("truncated", svg("<g><rect/></g>").replace("</g></svg>", "</g></sv"), Refusal.NOT_XML),
                Arguments.of("unbalanced", svg("<g>"), Refusal.NOT_XML),
                Arguments.of("empty", "", Refusal.NOT_XML),
                Arguments.of("not markup at all", "GIF89a", Refusal.NOT_XML));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void constructsOutsideTheStaticSubsetAreRefusedForWhatTheyAre(String what, String document, Refusal why) {
        assertThat(judge(document)).hasValue(why);
        assertThat(FileType.sniff(document.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        assertThat(SvgPolicy.refusal(svg("").getBytes(StandardCharsets.UTF_16))).hasValue(Refusal.ENCODING);
        assertThat(SvgPolicy.refusal(svg("<text>\u00e9</text>").getBytes(StandardCharsets.ISO_8859_1)))
                .hasValue(Refusal.ENCODING);
        assertThat(SvgPolicy.refusal(new byte[] {'<', 's', (byte) 0xC0, (byte) 0xAF})).hasValue(Refusal.ENCODING);
    }

    @Test
    void nestingIsBoundedAtTheDocumentedDepth() {
        int groups = SvgPolicy.MAX_DEPTH - 1;
        String deepest = svg("<g>".repeat(groups) + "</g>".repeat(groups));
        String deeper = svg("<g>".repeat(groups + 1) + "</g>".repeat(groups + 1));
        assertThat(judge(deepest)).isEmpty();
        assertThat(judge(deeper)).hasValue(Refusal.TOO_DEEP);
        String abyss = svg("<g>".repeat(1_000_000));
        assertThat(judge(abyss)).hasValue(Refusal.TOO_DEEP);
    }

    @Test
    void hugeAttributesAreJudgedLikeSmallOnes() {
        String longPath = "M0 0" + " L1 1".repeat(1_000_000);
        assertThat(judge(svg("<path d=\"" + longPath + "\"/>"))).isEmpty();
        assertThat(judge(svg("<path d=\"" + "(".repeat(1_000_000) + "\"/>"))).hasValue(Refusal.VALUE);
        String image = "data:image/jpeg;base64," + "QUJD".repeat(1_000_000);
        assertThat(judge(svg("<image href=\"" + image + "\"/>"))).isEmpty();
        assertThat(judge(svg("<image href=\"" + image + "!\"/>"))).hasValue(Refusal.REFERENCE);
    }
}
