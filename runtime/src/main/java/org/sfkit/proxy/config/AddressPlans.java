package org.sfkit.proxy.config;

import java.util.List;
import java.util.Optional;

/** Composition of address plans. */
public final class AddressPlans {
    private AddressPlans() {
    }

    /**
     * A plan asking each of {@code plans} in order; the first match wins. Put the
     * {@link VirtualAddressPlan} first so a 10.0.0.N label never falls through to a TOML route.
     */
    public static AddressPlan combine(AddressPlan... plans) {
        List<AddressPlan> ordered = List.of(plans);
        return new AddressPlan() {
            @Override
            public Optional<PartyTarget> route(String host, int port) {
                for (AddressPlan plan : ordered) {
                    Optional<PartyTarget> target = plan.route(host, port);
                    if (target.isPresent()) {
                        return target;
                    }
                }
                return Optional.empty();
            }

            @Override
            public String toString() {
                return ordered.toString();
            }
        };
    }
}
