package org.sfkit.proxy.cli;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sfkit.proxy.config.IpLiterals;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.Pem;
import org.sfkit.proxy.tls.SelfSignedCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Writes a static-mode identity: a self-signed certificate and its key, both PEM. */
@Command(name = "gencert", sortOptions = false,
        header = "Writes a static-mode certificate and key (PEM).",
        description = "Makes a self-signed RSA-2048 certificate and key (PEM) for static mode. Give the "
                + "certificate to the other parties (--peer-cert) and keep the key (--key).",
        footerHeading = "%nExample:%n",
        footer = "  sfkit-proxy gencert --cert p1.pem --key p1.key --ip 127.0.0.1 --ip 192.0.2.10")
final class GenCertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cert", required = true, paramLabel = "FILE", description = "Where to write the certificate.")
    Path cert;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "Where to write the private key.")
    Path key;

    @Option(names = "--ip", paramLabel = "A", defaultValue = "127.0.0.1",
            description = "IP address for the certificate's subjectAltNames (the Go client checks it against "
                    + "the address it dials). Repeatable. Default: ${DEFAULT-VALUE}")
    List<String> ips;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        List<InetAddress> addresses = new ArrayList<>();
        for (String ip : ips) {
            addresses.add(IpLiterals.parse(ip).orElseThrow(() -> new ConfigException("--ip needs an IP address: " + ip)));
        }
        for (Path file : List.of(cert, key)) {
            if (Files.exists(file)) {
                // Never overwrite a key silently: peers may have pinned its certificate.
                throw new ConfigException(file + " exists; remove it first");
            }
        }
        TlsIdentity identity = SelfSignedCertificates.generate(addresses);
        if (key.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // The key is a secret: owner-only from the start, before any byte is written.
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Pem.writeIdentity(identity, cert, key);
        spec.commandLine().getOut().printf("wrote %s and %s (sha256 %s)%n", cert, key,
                RunCommand.fingerprint(identity.certificate()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
