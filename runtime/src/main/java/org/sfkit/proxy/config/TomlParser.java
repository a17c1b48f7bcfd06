package org.sfkit.proxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parser for the part of TOML 1.0 that SF-GWAS configuration files use: comments, tables
 * ({@code [servers.party0]}, {@code [servers.party0.ports]}), dotted keys, inline tables
 * ({@code ports = { party1 = "8020" }}), arrays, basic and literal strings, integers, floats and
 * booleans. Multi-line strings and arrays of tables are refused with a clear message.
 *
 * <p>Written here rather than taken from Maven Central: the JVM TOML libraries either pull a
 * parser generator runtime (tomlj needs ANTLR, ~300 KiB in the shaded agent jar) or Jackson; the
 * subset above is a few hundred lines.
 *
 * <p>Values come back as {@link String}, {@link Long}, {@link Double}, {@link Boolean},
 * {@link List} and {@code Map<String, Object>} (insertion-ordered). Dates are kept as their text.
 */
public final class TomlParser {
    private static final Pattern INTEGER = Pattern.compile("[+-]?(0|[1-9](_?[0-9])*)");
    private static final Pattern PREFIXED_INTEGER = Pattern.compile("0x[0-9A-Fa-f](_?[0-9A-Fa-f])*|0o[0-7](_?[0-7])*|0b[01](_?[01])*");
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(0|[1-9](_?[0-9])*)((\\.[0-9](_?[0-9])*)([eE][+-]?[0-9](_?[0-9])*)?|[eE][+-]?[0-9](_?[0-9])*)");
    private static final Pattern SPECIAL_FLOAT = Pattern.compile("[+-]?(inf|nan)");
    private static final Pattern DATE_OR_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}.*)?|\\d{2}:\\d{2}:\\d{2}.*");

    private final String text;
    private int pos;
    private int line = 1;
    private final Map<String, Object> root = new LinkedHashMap<>();
    /** Tables opened by a [header] or given as inline tables: TOML forbids defining them twice. */
    private final Set<Map<String, Object>> closedTables = Collections.newSetFromMap(new IdentityHashMap<>());

    private TomlParser(String text) {
        this.text = text;
    }

    /** @throws TomlException with the line number of the first error */
    public static Map<String, Object> parse(String text) throws TomlException {
        TomlParser parser = new TomlParser(text);
        parser.document();
        return parser.root;
    }

    private void document() throws TomlException {
        Map<String, Object> current = root;
        while (true) {
            skipBlankLinesAndComments();
            if (atEnd()) {
                return;
            }
            if (peek() == '[') {
                current = tableHeader();
            } else {
                keyValue(current);
            }
            endOfLine();
        }
    }

    private Map<String, Object> tableHeader() throws TomlException {
        pos++; // '['
        if (peek() == '[') {
            throw error("arrays of tables ([[...]]) are not supported");
        }
        skipSpaces();
        List<String> path = key();
        skipSpaces();
        expect(']');
        Map<String, Object> table = root;
        for (String part : path) {
            table = childTable(table, part, path);
        }
        if (!closedTables.add(table)) {
            throw error("table [" + String.join(".", path) + "] defined twice");
        }
        return table;
    }

    private void keyValue(Map<String, Object> table) throws TomlException {
        List<String> path = key();
        skipSpaces();
        expect('=');
        skipSpaces();
        Object value = value();
        Map<String, Object> target = table;
        for (String part : path.subList(0, path.size() - 1)) {
            target = childTable(target, part, path);
        }
        String last = path.get(path.size() - 1);
        if (target.containsKey(last)) {
            throw error("key " + String.join(".", path) + " defined twice");
        }
        target.put(last, value);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> childTable(Map<String, Object> parent, String name, List<String> path) throws TomlException {
        Object existing = parent.get(name);
        if (existing == null) {
            Map<String, Object> child = new LinkedHashMap<>();
            parent.put(name, child);
            return child;
        }
        if (!(existing instanceof Map)) {
            throw error(String.join(".", path) + ": " + name + " is a value, not a table");
        }
        return (Map<String, Object>) existing;
    }

    /** A dotted key: {@code a.b."c d".'e'}. */
    private List<String> key() throws TomlException {
        List<String> parts = new ArrayList<>();
        while (true) {
            parts.add(simpleKey());
            skipSpaces();
            if (atEnd() || peek() != '.') {
                return parts;
            }
            pos++;
            skipSpaces();
        }
    }

    private String simpleKey() throws TomlException {
        if (atEnd()) {
            throw error("expected a key");
        }
        char c = peek();
        if (c == '"') {
            return basicString();
        }
        if (c == '\'') {
            return literalString();
        }
        int start = pos;
        while (!atEnd() && isBareKeyChar(peek())) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a key, found '" + c + "'");
        }
        return text.substring(start, pos);
    }

    private static boolean isBareKeyChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    private Object value() throws TomlException {
        if (atEnd()) {
            throw error("expected a value");
        }
        char c = peek();
        switch (c) {
            case '"':
                return basicString();
            case '\'':
                return literalString();
            case '[':
                return array();
            case '{':
                return inlineTable();
            default:
                return scalar();
        }
    }

    private List<Object> array() throws TomlException {
        pos++; // '['
        List<Object> items = new ArrayList<>();
        while (true) {
            skipBlankLinesAndComments();
            if (atEnd()) {
                throw error("unterminated array");
            }
            if (peek() == ']') {
                pos++;
                return items;
            }
            items.add(value());
            skipBlankLinesAndComments();
            if (atEnd()) {
                throw error("unterminated array");
            }
            if (peek() == ',') {
                pos++;
            } else if (peek() != ']') {
                throw error("expected ',' or ']' in array");
            }
        }
    }

    private Map<String, Object> inlineTable() throws TomlException {
        pos++; // '{'
        Map<String, Object> table = new LinkedHashMap<>();
        skipSpaces();
        if (!atEnd() && peek() == '}') {
            pos++;
            closedTables.add(table);
            return table;
        }
        while (true) {
            skipSpaces();
            keyValue(table);
            skipSpaces();
            if (atEnd()) {
                throw error("unterminated inline table");
            }
            char c = peek();
            pos++;
            if (c == '}') {
                closedTables.add(table);
                return table;
            }
            if (c != ',') {
                throw error("expected ',' or '}' in inline table (inline tables are one line)");
            }
        }
    }

    private Object scalar() throws TomlException {
        int start = pos;
        while (!atEnd() && !isValueEnd(peek())) {
            pos++;
        }
        // A date-time may carry one space between date and time (TOML 1.0 section Offset Date-Time).
        String token = text.substring(start, pos).strip();
        if (token.isEmpty()) {
            throw error("expected a value, found '" + (atEnd() ? "end of file" : String.valueOf(peek())) + "'");
        }
        if (token.equals("true") || token.equals("false")) {
            return Boolean.valueOf(token);
        }
        if (INTEGER.matcher(token).matches()) {
            return Long.parseLong(token.replace("_", ""));
        }
        if (PREFIXED_INTEGER.matcher(token).matches()) {
            int radix = switch (token.charAt(1)) {
                case 'x' -> 16;
                case 'o' -> 8;
                default -> 2;
            };
            return Long.parseLong(token.substring(2).replace("_", ""), radix);
        }
        if (FLOAT.matcher(token).matches()) {
            return Double.parseDouble(token.replace("_", ""));
        }
        if (SPECIAL_FLOAT.matcher(token).matches()) {
            boolean negative = token.startsWith("-");
            return token.endsWith("nan") ? Double.NaN : negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (DATE_OR_TIME.matcher(token).matches()) {
            return token;
        }
        throw error("not a TOML value: " + token);
    }

    private static boolean isValueEnd(char c) {
        return c == ',' || c == ']' || c == '}' || c == '#' || c == '\n' || c == '\r';
    }

    private String basicString() throws TomlException {
        if (text.startsWith("\"\"\"", pos)) {
            throw error("multi-line strings are not supported");
        }
        pos++; // '"'
        StringBuilder out = new StringBuilder();
        while (true) {
            if (atEnd() || peek() == '\n') {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (atEnd()) {
                throw error("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case 'b' -> out.append('\b');
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'f' -> out.append('\f');
                case 'r' -> out.append('\r');
                case 'u' -> out.appendCodePoint(hexEscape(4));
                case 'U' -> out.appendCodePoint(hexEscape(8));
                default -> throw error("invalid escape \\" + e);
            }
        }
    }

    private int hexEscape(int digits) throws TomlException {
        if (pos + digits > text.length()) {
            throw error("short unicode escape");
        }
        try {
            int codePoint = Integer.parseUnsignedInt(text.substring(pos, pos + digits), 16);
            pos += digits;
            if (!Character.isValidCodePoint(codePoint)) {
                throw error("invalid unicode escape");
            }
            return codePoint;
        } catch (NumberFormatException e) {
            throw error("invalid unicode escape");
        }
    }

    private String literalString() throws TomlException {
        if (text.startsWith("'''", pos)) {
            throw error("multi-line strings are not supported");
        }
        int start = ++pos;
        while (!atEnd() && peek() != '\'' && peek() != '\n') {
            pos++;
        }
        if (atEnd() || peek() != '\'') {
            throw error("unterminated string");
        }
        return text.substring(start, pos++);
    }

    private void endOfLine() throws TomlException {
        skipSpaces();
        if (!atEnd() && peek() == '#') {
            skipComment();
        }
        if (atEnd()) {
            return;
        }
        if (peek() == '\r' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
            pos++;
        }
        if (peek() != '\n') {
            throw error("expected end of line, found '" + peek() + "'");
        }
        pos++;
        line++;
    }

    private void skipBlankLinesAndComments() {
        while (!atEnd()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '\n') {
                pos++;
                line++;
            } else if (c == '#') {
                skipComment();
            } else {
                return;
            }
        }
    }

    private void skipComment() {
        while (!atEnd() && peek() != '\n') {
            pos++;
        }
    }

    private void skipSpaces() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
            pos++;
        }
    }

    private void expect(char c) throws TomlException {
        if (atEnd() || peek() != c) {
            throw error("expected '" + c + "'" + (atEnd() ? " before end of file" : ", found '" + peek() + "'"));
        }
        pos++;
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private char peek() {
        return text.charAt(pos);
    }

    private TomlException error(String message) {
        return new TomlException(line, message);
    }
}
