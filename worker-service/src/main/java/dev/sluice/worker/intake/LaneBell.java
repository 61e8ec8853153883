package dev.sluice.worker.intake;

import dev.sluice.db.lane.LaneNotifications;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Listens, on one database connection of its own, for lanes that enter ({@link LaneNotifications}) and wakes their
 * model's dispatcher ({@link ModelIntake#wake}): a job is picked up within milliseconds of being published, and no
 * worker polls an idle model. It hears changes to the models' settings on the same connection and has the intake
 * re-read them at its next pass ({@link ModelIntake#settingsChanged}). When the connection fails it listens again
 * after a second and then rings every dispatcher and marks the settings stale, since what entered or changed
 * meanwhile was not heard (the intake's one-second pass covers the lanes' gap as well).
 */
@Component
public class LaneBell {

    private static final Logger log = LoggerFactory.getLogger(LaneBell.class);

    private static final int POLL_MILLIS = 1_000;
    private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

    private final LaneNotifications notifications;
    private final ModelIntake intake;
    private volatile boolean running;
    private volatile Thread thread;

    LaneBell(LaneNotifications notifications, ModelIntake intake) {
        this.notifications = notifications;
        this.intake = intake;
    }

    /** Starts listening on a thread of its own. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = Thread.ofVirtual().name("sluice-lane-bell").start(this::listen);
    }

    /** Stops listening and gives the connection back. */
    public synchronized void stop() {
        running = false;
        Thread listening = thread;
        thread = null;
        if (listening != null) {
            listening.interrupt();
        }
    }

    private void listen() {
        while (running) {
            try {
                notifications.listen(
                        () -> running, POLL_MILLIS, this::listening, this::entered, intake::settingsChanged);
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("Listening for lanes failed ({}); listening again in {}", e.getMessage(), AFTER_FAILURE);
                try {
                    Thread.sleep(AFTER_FAILURE);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Listening (again): whatever entered or changed before was not heard. */
    private void listening() {
        intake.settingsChanged();
        intake.wakeAll();
    }

    private void entered(String model) {
        try {
            intake.wake(model);
        } catch (RuntimeException e) {
            // The intake's next pass starts the dispatcher instead.
            log.debug("Waking the dispatcher of model {} failed: {}", model, e.toString());
        }
    }
}
