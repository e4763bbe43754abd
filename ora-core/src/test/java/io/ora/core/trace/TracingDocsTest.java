package io.ora.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/observability.md writes the allow-list down: its attribute table names exactly the attributes a span can
 * carry, and its span table every operation the node traces.
 */
class TracingDocsTest {

    private static final Path DOC = Path.of("..", "docs", "observability.md");

    @Test
    void theAttributeTableIsTheAllowList() throws Exception {
        String doc = Files.readString(DOC);
        String table = doc.substring(doc.indexOf("| attribute | value |"));
        table = table.substring(0, table.indexOf("\n\n"));
        Matcher row = Pattern.compile("(?m)^\\| `([a-z._]+)` \\|").matcher(table);
        List<String> documented = row.results().map(match -> match.group(1)).toList();

        assertThat(documented).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Attribute.values()).map(Attribute::key).toList());
    }

    @Test
    void everyOperationIsInTheSpanTable() throws Exception {
        String doc = Files.readString(DOC);
        for (Operation operation : Operation.values()) {
            assertThat(doc).as(operation.name()).contains("`" + operation.spanName() + "`");
        }
    }
}
