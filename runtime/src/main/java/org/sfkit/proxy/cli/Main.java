package org.sfkit.proxy.cli;

/** Entry point of {@code sfkit-proxy.jar}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("sfkit-proxy: not yet");
    }
}
