package org.sfkit.proxy.bench;

/** A case's measurement, or why there is none ({@code "timeout"}, {@code "error: ..."}, {@code "unavailable: ..."}). */
record Outcome<T>(T value, String failure) {
    static <T> Outcome<T> ok(T value) {
        return new Outcome<>(value, null);
    }

    static <T> Outcome<T> failed(String why) {
        return new Outcome<>(null, why);
    }

    boolean isOk() {
        return failure == null;
    }
}
