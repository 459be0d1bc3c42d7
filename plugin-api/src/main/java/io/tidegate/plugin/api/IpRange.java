package io.tidegate.plugin.api;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address or CIDR block, as routes' {@code remote_addrs} and {@code ipmatch} and
 * plugins such as ip-restriction take them; parsing never looks a name up in DNS.
 */
public final class IpRange {
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");
    private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]+$");

    private final byte[] network;
    private final int prefixBits;

    private IpRange(byte[] network, int prefixBits) {
        this.network = network;
        this.prefixBits = prefixBits;
    }

    /** Parses {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code fe80::/10}. */
    public static IpRange parse(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = parseLiteral(addressText);
        if (address == null) {
            throw new IllegalArgumentException("must be an IPv4 or IPv6 address or CIDR block");
        }
        byte[] bytes = address.getAddress();
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("CIDR prefix length must be 0-" + bytes.length * 8);
            }
        }
        return new IpRange(mask(bytes, bits), bits);
    }

    /** Parses an IP literal without any DNS lookup; null when it is not one. */
    public static InetAddress parseLiteral(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        var v4 = IPV4.matcher(text);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return byAddress(bytes);
        }
        if (text.indexOf(':') >= 0 && IPV6.matcher(text).matches()) {
            try {
                // a literal containing ':' is never looked up in DNS
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            bytes = ipv4Mapped(address, network.length);
            if (bytes == null) {
                return false;
            }
        }
        return java.util.Arrays.equals(mask(bytes, prefixBits), network);
    }

    /** Lets 10.0.0.0/8 match ::ffff:10.1.2.3 and the reverse, as dual-stack listeners report both. */
    private static byte[] ipv4Mapped(InetAddress address, int wantedLength) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && wantedLength == 4) {
            for (int i = 0; i < 10; i++) {
                if (bytes[i] != 0) {
                    return null;
                }
            }
            if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
                return null;
            }
            return java.util.Arrays.copyOfRange(bytes, 12, 16);
        }
        if (address instanceof Inet4Address && wantedLength == 16) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        }
        return null;
    }

    private static byte[] mask(byte[] bytes, int bits) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }
}
