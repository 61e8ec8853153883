package dev.sluice.worker.intake;

import dev.sluice.db.Listener;
import dev.sluice.db.lane.LaneNotifications;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Hears, on the worker's listening connection ({@link Listener}), the lanes that enter ({@link LaneNotifications})
 * and wakes their model's dispatcher ({@link ModelIntake#wake}): a job is picked up within milliseconds of being
 * published, and no worker polls an idle model. It hears changes to the models' settings on the same connection and
 * has the intake re-read them at its next pass ({@link ModelIntake#settingsChanged}). Each time the connection
 * listens again it rings every dispatcher and marks the settings stale, since what entered or changed meanwhile was
 * not heard (the intake's pass, every second while the connection is down, covers the lanes' gap as well).
 */
@Component
public class LaneBell implements Listener.Ear {

    private static final Logger log = LoggerFactory.getLogger(LaneBell.class);

    private final ModelIntake intake;

    LaneBell(ModelIntake intake) {
        this.intake = intake;
    }

    @Override
    public List<String> channels() {
        return List.of(LaneNotifications.CHANNEL, LaneNotifications.SETTINGS_CHANNEL);
    }

    /** Listening (again): whatever entered or changed before was not heard. */
    @Override
    public void listening() {
        intake.settingsChanged();
        intake.wakeAll();
    }

    @Override
    public void heard(String channel, String payload) {
        if (LaneNotifications.SETTINGS_CHANNEL.equals(channel)) {
            intake.settingsChanged();
            return;
        }
        try {
            intake.wake(payload);
        } catch (RuntimeException e) {
            // The intake's next pass starts the dispatcher instead.
            log.debug("Waking the dispatcher of model {} failed: {}", payload, e.toString());
        }
    }
}
