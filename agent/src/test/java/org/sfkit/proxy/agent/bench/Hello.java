package org.sfkit.proxy.agent.bench;

/** The smallest application: {@code agent-bench.sh} times the JVM start-up with and without the agent around it. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
