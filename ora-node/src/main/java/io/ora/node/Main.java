package io.ora.node;

import com.typesafe.config.ConfigFactory;
import io.ora.node.cli.Cli;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of {@code ora-node.jar}. With no arguments (or {@code run}) it starts a node; otherwise it runs a CLI
 * command ({@code pki}, {@code grant}, {@code revoke}, {@code token}, {@code hub}, {@code firmware}, {@code help}) and
 * exits with 0 on success, 1 on failure, 2 on a usage error, and the {@code hub} commands' own statuses. See
 * docs/cli.md. A node whose configuration is refused ({@code ORA_MODE=production} with a development default) exits
 * with 1.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        // CLI-OUTPUT-OFF: this is the command line; it talks to a person on stdout and stderr.
        PrintStream out = System.out;
        PrintStream err = System.err;
        // CLI-OUTPUT-ON
        if (args.length == 0 || args[0].equals("run")) {
            run();
            return;
        }
        int status = new Cli(out, err, ConfigFactory.empty()).run(Arrays.asList(args));
        if (status != 0) {
            System.exit(status);
        }
    }

    private static void run() throws Exception {
        Node node;
        try {
            node = Node.start(ConfigFactory.empty(), System.getenv());
        } catch (NodeMode.StartRefused refused) {
            // CLI-OUTPUT-OFF: why the node refused to start is for the person who started it.
            System.err.println("ora-node refused to start: " + refused.getMessage());
            // CLI-OUTPUT-ON
            System.exit(1);
            return;
        }
        // CLI-OUTPUT-OFF: the start-up banner is for the person who started the node.
        System.out.println(Banner.text(node));
        // CLI-OUTPUT-ON
        node.awaitTermination();
    }
}
