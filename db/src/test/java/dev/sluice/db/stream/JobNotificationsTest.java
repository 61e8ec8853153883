package dev.sluice.db.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobNotificationsTest {

    private final List<String> heard = new ArrayList<>();

    private final JobNotifications.Listener listener = new JobNotifications.Listener() {
        @Override
        public void listening() {}

        @Override
        public void finished(String jobId, JobNotifications.Answer answer) {
            heard.add(jobId + "|" + (answer == null ? "-" : answer.status() + "|" + answer.body()));
        }

        @Override
        public void chunk(String payload) {}
    };

    @Test
    void anAnswerIsReadFromAfterTheIdAndStatusSpacesAndAllIncluded() {
        JobNotifications.finished("job_1 200 {\"a\": \"b c\"}", listener);
        JobNotifications.finished("job_2 200 ", listener);

        assertThat(heard).containsExactly("job_1|200|{\"a\": \"b c\"}", "job_2|200|");
    }

    @Test
    void anIdAloneOrAnUnreadableAnswerIsTheIdAlone() {
        JobNotifications.finished("job_1", listener);
        JobNotifications.finished("job_2 ok body", listener);
        JobNotifications.finished("job_3 200", listener);

        assertThat(heard).containsExactly("job_1|-", "job_2|-", "job_3|-");
    }
}
