package dev.sluice.api;

import org.springframework.test.context.TestPropertySource;

/**
 * The api-service as {@link ApiTestBase}, with a pool of two database connections (a held one shows at once;
 * waiting for one fails after 2 s rather than 30 s) and quick event polls and keep-alives: for the ITs about one
 * tenant not stalling the others. They share this one Spring context.
 */
@TestPropertySource(
        properties = {
            "spring.datasource.hikari.maximum-pool-size=2",
            "spring.datasource.hikari.connection-timeout=2000",
            "sluice.events.poll-interval=100ms",
            "sluice.events.keep-alive=300ms"
        })
abstract class SmallPoolTestBase extends ApiTestBase {}
