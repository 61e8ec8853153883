package dev.sluice.api.facade;

import dev.sluice.db.cache.ResponseCacheRepository;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes expired response-cache entries once an hour. Lookups already ignore them; this only keeps the table
 * from growing. Any number of api replicas may run it: a second delete finds nothing.
 */
@Component
class CachePurge {

    private static final Logger log = LoggerFactory.getLogger(CachePurge.class);

    private final ResponseCacheRepository cache;
    private final Clock clock;

    CachePurge(ResponseCacheRepository cache, Clock clock) {
        this.cache = cache;
        this.clock = clock;
    }

    /** One purge; returns how many entries it deleted. */
    int runOnce() {
        int deleted = cache.deleteExpired(clock.instant());
        if (deleted > 0) {
            log.info("Deleted {} expired response cache entr{}", deleted, deleted == 1 ? "y" : "ies");
        }
        return deleted;
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
    void purge() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Purging the response cache failed; trying again in an hour: {}", e.toString());
        }
    }
}
