package org.sfkit.proxy.cli;

/** A flag value or configuration file that makes running impossible: exit status 1 (spec section 1). */
final class ConfigException extends Exception {
    ConfigException(String message) {
        super(message);
    }

    ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
