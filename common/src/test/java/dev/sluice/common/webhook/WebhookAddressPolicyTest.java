package dev.sluice.common.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SSRF protection over the many ways to spell an address a webhook must never reach. */
class WebhookAddressPolicyTest {

    private final WebhookAddressPolicy strict = WebhookAddressPolicy.of(false);
    private final WebhookAddressPolicy allowingPrivate = WebhookAddressPolicy.of(true);

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(delimiter = '|', textBlock = """
            http://127.0.0.1/hook
            http://127.0.0.1./hook
            http://127.255.255.254:8080/
            http://2130706433/
            http://017700000001/
            http://0177.0.0.1/
            http://0x7f000001/
            http://[::1]/
            http://[0:0:0:0:0:0:0:1]/
            http://[::ffff:127.0.0.1]/
            http://[::ffff:7f00:1]/
            http://[::127.0.0.1]/
            http://[64:ff9b::7f00:1]/
            http://[2002:7f00:1::]/
            http://[2002:a9fe:a9fe::]/
            http://0.0.0.0/
            http://[::]/
            http://10.0.0.8/
            http://167772168/
            http://172.16.0.1/
            http://172.31.255.255/
            http://192.168.1.1/
            http://[fc00::1]/
            http://[fd12:3456::1]/
            http://169.254.169.254/latest/meta-data/
            http://2852039166/
            http://[fd00:ec2::254]/
            http://[fe80::1]/
            http://[fe80::1%25eth0]/
            http://[fe80::1%25no-such-interface]/
            http://100.64.0.1/
            http://100.127.255.255/
            http://224.0.0.1/
            http://[ff02::1]/
            http://255.255.255.255/
            http://240.0.0.1/
            http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/
            http://0x7f.1/
            http://127.1/
            http://10.1/
            """)
    void refusesNonPublicAddressesInEverySpelling(String url) {
        assertThat(strict.refusalOfUrl(url)).as(url).isPresent();
    }

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(delimiter = '|', textBlock = """
            http://localhost/hook
            http://localhost:8080/
            http://LOCALHOST/
            http://LocalHost./
            http://localhost./hook
            http://api.localhost/
            http://a.b.LOCALHOST./
            http://[64:ff9b:1::7f00:1]/
            http://[64:ff9b:1::a00:1]/
            http://[64:ff9b:1:7f00:0:100::]/
            http://[64:ff9b:1:ffff:ff00:a9fe:a9fe::]/
            http://[::ffff:0:127.0.0.1]/
            http://[::ffff:0:7f00:1]/
            http://[::ffff:0:10.0.0.1]/
            http://[::ffff:0:169.254.169.254]/
            """)
    void refusesLocalhostNamesAndUnwrapsNat64AndSiit(String url) {
        assertThat(strict.refusalOfUrl(url)).as(url).isPresent();
    }

    @ParameterizedTest(name = "{0} is refused even with allow-private")
    @CsvSource(delimiter = '|', textBlock = """
            http://[64:ff9b:1::a9fe:a9fe]/
            http://[::ffff:0:a9fe:a9fe]/
            """)
    void metadataInsideNat64AndSiitIsRefusedEvenWhenPrivateIsAllowed(String url) {
        assertThat(allowingPrivate.refusalOfUrl(url)).as(url).isPresent();
    }

    @ParameterizedTest(name = "{0} is allowed")
    @CsvSource(delimiter = '|', textBlock = """
            http://localhost.example.com/
            http://notlocalhost/
            http://mylocalhost/
            http://[64:ff9b:1::808:808]/
            http://[::ffff:0:8.8.8.8]/
            """)
    void namesThatOnlyContainLocalhostAndPublicEmbeddedAddressesAreAllowed(String url) {
        assertThat(strict.refusalOfUrl(url)).as(url).isEmpty();
    }

    @ParameterizedTest(name = "{0} is allowed")
    @CsvSource(delimiter = '|', textBlock = """
            https://example.com/hook
            https://hooks.example.com:8443/a?b=c
            http://93.184.216.34/
            http://1.1.1.1/
            http://[2606:4700:4700::1111]/
            http://172.32.0.1/
            http://100.128.0.1/
            http://[::ffff:8.8.8.8]/
            http://[2002:808:808::]/
            """)
    void allowsPublicAddressesAndLeavesNamesToDeliveryTime(String url) {
        assertThat(strict.refusalOfUrl(url)).as(url).isEmpty();
    }

    @ParameterizedTest(name = "{0} reads as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            2130706433     | 127.0.0.1
            0x7f.1         | 127.0.0.1
            127.1          | 127.0.0.1
            0177.0.0.1     | 127.0.0.1
            0x7F.0x0.0.01  | 127.0.0.1
            10.1.258       | 10.1.1.2
            [::1]          | 0:0:0:0:0:0:0:1
            """)
    void readsEveryIpv4Spelling(String host, String address) {
        assertThat(IpLiteral.parse(host)).map(InetAddress::getHostAddress).contains(address);
    }

    @ParameterizedTest(name = "{0} is a name")
    @CsvSource(delimiter = '|', textBlock = """
            example.com
            1.2.3.4.5
            256.1.1.1
            0x1g.0.0.1
            4294967296
            """)
    void leavesNamesAndImpossibleNumbersAlone(String host) {
        assertThat(IpLiteral.parse(host)).isEmpty();
    }

    @ParameterizedTest(name = "with allow-private, {0} is allowed")
    @CsvSource(delimiter = '|', textBlock = """
            http://127.0.0.1:8080/
            http://[::1]/
            http://192.168.1.1/
            http://localhost:8080/
            http://hooks.localhost/
            """)
    void allowPrivateLiftsTheRule(String url) {
        assertThat(allowingPrivate.refusalOfUrl(url)).isEmpty();
    }

    @ParameterizedTest(name = "with allow-private, {0} is still refused")
    @CsvSource(delimiter = '|', textBlock = """
            http://169.254.169.254/
            http://[fd00:ec2::254]/
            http://[::ffff:169.254.169.254]/
            """)
    void metadataEndpointsAreRefusedEvenWhenPrivateIsAllowed(String url) {
        assertThat(allowingPrivate.refusalOfUrl(url)).isPresent();
    }
}
