package org.sfkit.proxy.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Entry point of {@code sfkit-proxy.jar}. */
public final class Main {
    /** Spec section 1: argument, configuration and fatal errors. */
    static final int EXIT_ERROR = 1;
    /** Spec section 1: an unknown flag, as Go's flag package. */
    static final int EXIT_UNKNOWN_FLAG = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command tree with the exit codes of spec section 1. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RunCommand());
        // Go's flag package lets a later flag override an earlier one ("-pid 7 -pid 3" is 3).
        cli.setOverwrittenOptionsAllowed(true);
        cli.setParameterExceptionHandler(Main::badArguments);
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            PrintWriter err = command.getErr();
            if (e instanceof ConfigException) {
                err.println("ERROR: " + e.getMessage());
            } else {
                err.println("ERROR: " + e);
                e.printStackTrace(err);
            }
            err.flush();
            return EXIT_ERROR;
        });
        return cli;
    }

    private static int badArguments(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("ERROR: " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return e instanceof UnmatchedArgumentException ? EXIT_UNKNOWN_FLAG : EXIT_ERROR;
    }
}
