package dev.sluice.api.tokens;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Loads the tokenizers while the rest of the api starts, on a virtual thread of its own: loading o200k_base's ranks
 * takes 0.1-0.4 s, which the first request for an OpenAI model after a start used to wait for, on its way to its
 * first provider call. A request that comes before the loading is done waits for it as before.
 */
@Component
class TokenizerWarmup {

    private static final Logger log = LoggerFactory.getLogger(TokenizerWarmup.class);

    TokenizerWarmup() {
        Thread.ofVirtual().name("tokenizer-warmup").start(TokenizerWarmup::load);
    }

    private static void load() {
        long started = System.nanoTime();
        try {
            TokenEstimator.preload();
            log.debug("Tokenizers loaded in {} ms", (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            // The first request for one of their models loads them instead.
            log.warn(
                    "Could not load the tokenizers at start; the first request that needs one loads it: {}",
                    e.toString());
        }
    }
}
