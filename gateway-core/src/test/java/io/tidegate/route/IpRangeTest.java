package io.tidegate.route;

import io.tidegate.plugin.api.IpRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IpRangeTest {
    private static boolean contains(String range, String ip) {
        return IpRange.parse(range).contains(IpRange.parseLiteral(ip));
    }

    @Test
    void ipv4() {
        assertTrue(contains("10.0.0.0/8", "10.255.1.2"));
        assertFalse(contains("10.0.0.0/8", "11.0.0.1"));
        assertTrue(contains("192.168.1.7", "192.168.1.7"));
        assertFalse(contains("192.168.1.7", "192.168.1.8"));
        assertTrue(contains("0.0.0.0/0", "8.8.8.8"));
        assertTrue(contains("172.16.0.0/12", "172.31.255.255"));
        assertFalse(contains("172.16.0.0/12", "172.32.0.0"));
    }

    @Test
    void ipv6AndMappedIpv4() {
        assertTrue(contains("2001:db8::/32", "2001:db8:ffff::1"));
        assertFalse(contains("2001:db8::/32", "2001:db9::1"));
        assertTrue(contains("::1", "::1"));
        assertTrue(contains("10.0.0.0/8", "::ffff:10.1.2.3"));
        assertFalse(contains("::1/128", "127.0.0.1"));
    }

    @Test
    void rejectsNonAddressesWithoutDns() {
        assertNull(IpRange.parseLiteral("localhost"));
        assertNull(IpRange.parseLiteral("256.1.1.1"));
        assertNull(IpRange.parseLiteral("1.2.3"));
        assertEquals("CIDR prefix length must be 0-128",
                assertThrows(IllegalArgumentException.class, () -> IpRange.parse("::/129")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("example.com/8"));
    }
}
