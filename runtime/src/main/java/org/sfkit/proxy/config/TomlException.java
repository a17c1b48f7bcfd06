package org.sfkit.proxy.config;

/** A TOML document that {@link TomlParser} cannot read, or that says something impossible. */
public final class TomlException extends Exception {
    /** A syntax error at {@code line} (1-based). */
    public TomlException(int line, String message) {
        super("line " + line + ": " + message);
    }

    /** A document that parses but whose content is invalid (no single line to blame). */
    public TomlException(String message) {
        super(message);
    }
}
