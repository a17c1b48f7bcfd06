package org.sfkit.proxy.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import org.sfkit.proxy.logging.Logging;
import org.sfkit.proxy.node.PartyNode;
import org.sfkit.proxy.node.ProxyNode;
import org.sfkit.proxy.node.SignalledNode;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Starts a party's transport from {@code name -> value} options that carry the {@code run}
 * command's flag names ({@code pid}, {@code peer}, {@code peer-cert}, {@code socks}, ...): the
 * Java agent's way in. The options become command-line arguments that {@link RunCommand} parses
 * and validates, so each option means exactly what the flag means, in every mode the CLI has.
 * Static mode ({@code peer}, ...) and signalling mode ({@code api}, {@code study}, ...) alike.
 * A SOCKS listener starts only when {@code socks} is given (the CLI's default port would clash
 * between JVMs on one host).
 */
public final class ProxyLauncher implements AutoCloseable {
    /** Lists inside one value: {@code peer=1=host:9001,2=host:9002} for the repeatable map flags. */
    private static final String LIST_SEPARATOR = ",";
    private static final String SOCKS = "socks";
    /** Held: the log manager keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger OUR_LOGGERS = Logger.getLogger("org.sfkit.proxy");

    private final PartyNode node;
    private final RunningProxy proxy;

    private ProxyLauncher(PartyNode node, RunningProxy proxy) {
        this.node = node;
        this.proxy = proxy;
    }

    /** The flag names an option may use: the long names without dashes. */
    public static Set<String> optionNames() {
        Set<String> names = new TreeSet<>();
        for (OptionSpec option : Main.commandLine().getCommandSpec().options()) {
            if (!option.usageHelp()) {
                names.add(option.longestName().replaceFirst("^-+", ""));
            }
        }
        return names;
    }

    /**
     * Validates the options as the CLI does and starts the node (and the SOCKS server with
     * {@code socks}). Returns once the node listens; peers connect in the background.
     *
     * @throws IllegalArgumentException with the CLI's message when an option is wrong
     * @throws IOException when the node or the SOCKS server cannot start
     */
    public static ProxyLauncher start(Map<String, String> options) throws IOException {
        CommandLine cli = Main.commandLine();
        RunCommand command = cli.getCommand();
        try {
            cli.parseArgs(arguments(cli, options).toArray(String[]::new));
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (command.verbosity() > 0) {
            Logging.configure(command.verbosity(), System.err);
        } else { // as the CLI: warnings only; the host application's own logging stays as it was
            OUR_LOGGERS.setLevel(Logging.levelFor(0));
        }
        RunCommand.Run run;
        try {
            run = command.validate();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        PartyNode node = run instanceof RunCommand.SignalledRun signalled
                ? SignalledNode.start(signalled.node())
                : ProxyNode.start(((RunCommand.StaticRun) run).node());
        if (options.containsKey(SOCKS)) {
            RunningProxy proxy = RunningProxy.withSocks(node, "ingress=agent", run.socks().bind(), run.plan(),
                    run.socks().credentials());
            return new ProxyLauncher(node, proxy);
        }
        return new ProxyLauncher(node, null);
    }

    /** {@code name=value} as the flag {@code --name value}; lists and counts as repeated flags. */
    static List<String> arguments(CommandLine cli, Map<String, String> options) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> option : options.entrySet()) {
            String flag = "--" + option.getKey();
            OptionSpec spec = cli.getCommandSpec().findOption(flag);
            if (spec == null || spec.usageHelp()) {
                throw new IllegalArgumentException("unknown option '" + option.getKey() + "'; known: " + optionNames());
            }
            String value = option.getValue();
            if (spec.arity().max() == 0) { // a flag such as -v: true/false or how many times
                int times = value.equalsIgnoreCase("true") ? 1 : value.equalsIgnoreCase("false") ? 0 : count(flag, value);
                for (int i = 0; i < times; i++) {
                    args.add(flag);
                }
            } else if (spec.isMultiValue()) {
                for (String item : value.split(LIST_SEPARATOR)) {
                    args.add(flag);
                    args.add(item.trim());
                }
            } else {
                args.add(flag);
                args.add(value);
            }
        }
        return args;
    }

    private static int count(String flag, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes true, false or a count, not '" + value + "'", e);
        }
    }

    public PartyNode node() {
        return node;
    }

    /** Where the SOCKS server listens, when one was asked for. */
    public Optional<String> socksAddress() {
        return Optional.ofNullable(proxy).map(p -> RunningProxy.hostPort(p.socksAddress()));
    }

    @Override
    public void close() {
        if (proxy != null) {
            proxy.close();
        } else {
            node.close();
        }
    }
}
