package org.sfkit.proxy.signal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The {@code data} of a {@code certificate} message, sent once ICE has connected: our
 * self-signed certificate and every address the peer may see us at (wire protocol section 6:
 * the Go peer starts QUIC only when the address its ICE selected is in {@code addrs}).
 * JSON {@code {"pem":"-----BEGIN CERTIFICATE-----\n...","addrs":["ip:port",...]}}.
 *
 * <p><b>Our extension.</b> Between two sfkit-proxy JVMs we may add a third key,
 * {@code "sfkit":{"clientProof":N}}, announcing that the sender proves its identity as a QUIC
 * client by protocol version N (our kwik engine cannot request client certificates, so the
 * client proves it holds its key in-band instead). It is optional and only ever inside
 * {@code data}: the outer message keeps exactly five keys, and Go's {@code json.Unmarshal}
 * ignores unknown keys, so a Go peer reads the payload unchanged. Absent means "standard TLS
 * client authentication only" (what the Go peer does).
 *
 * @param clientProof the version of our client proof, when the sender supports one
 */
public record CertificatePayload(String pem, List<String> addrs, OptionalInt clientProof) {
    private static final String EXTENSION_KEY = "sfkit";
    private static final String CLIENT_PROOF_KEY = "clientProof";

    public CertificatePayload {
        Objects.requireNonNull(pem, "pem");
        addrs = List.copyOf(addrs);
        Objects.requireNonNull(clientProof, "clientProof");
    }

    /** The payload a Go peer sends: no extension. */
    public CertificatePayload(String pem, List<String> addrs) {
        this(pem, addrs, OptionalInt.empty());
    }

    /** {@code pem}, {@code addrs} (the Go struct's order), then our extension when present. */
    public String toJson() {
        GoJson json = GoJson.object().string("pem", pem).strings("addrs", addrs);
        clientProof.ifPresent(v -> json.raw(EXTENSION_KEY,
                GoJson.object().number(CLIENT_PROOF_KEY, v).end()));
        return json.end();
    }

    /** Parses the payload; {@code "addrs":null} (a Go nil slice) reads as empty. */
    public static CertificatePayload fromJson(String json) {
        JsonFields fields = JsonFields.parse(json, "certificate payload");
        List<String> addrs = new ArrayList<>();
        if (fields.has("addrs")) {
            JsonElement element = fields.object().get("addrs");
            if (!element.isJsonArray()) {
                throw new MalformedSignalException("certificate payload: addrs is not an array");
            }
            JsonArray array = element.getAsJsonArray();
            for (JsonElement addr : array) {
                if (!addr.isJsonPrimitive() || !addr.getAsJsonPrimitive().isString()) {
                    throw new MalformedSignalException("certificate payload: non-string addr");
                }
                addrs.add(addr.getAsString());
            }
        }
        OptionalInt clientProof = OptionalInt.empty();
        if (fields.has(EXTENSION_KEY) && fields.object().get(EXTENSION_KEY).isJsonObject()) {
            JsonFields extension = JsonFields.of(
                    fields.object().getAsJsonObject(EXTENSION_KEY), "sfkit extension");
            if (extension.has(CLIENT_PROOF_KEY)) {
                clientProof = OptionalInt.of(extension.integer(CLIENT_PROOF_KEY));
            }
        }
        return new CertificatePayload(fields.string("pem"), addrs, clientProof);
    }
}
