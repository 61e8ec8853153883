package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Every view of the dashboard renders from real data without an error, at 1,280 px and at phone width, and
 * leaves a screenshot of itself: under {@code target/dashboard-screenshots}, or where the system property
 * {@code sluice.screenshots} says ({@code -Dsluice.screenshots=../docs/images} refreshes the documentation's).
 */
class DashboardScreenshotsIT extends ApiTestBase {

    private static final int WIDE = 1280;
    private static final int PHONE = 390;

    @Test
    void everyViewRendersAndIsPhotographed() {
        Scene scene = seed();
        Path dir = Path.of(System.getProperty("sluice.screenshots", "target/dashboard-screenshots"));
        try (Browser browser = Browser.start(WIDE, 900)) {
            ChromeDriver page = browser.driver;
            page.get(url("/dashboard/"));
            shoot(page, dir, "dashboard-sign-in", 700);
            page.findElement(By.id("admin_key")).sendKeys(ADMIN_KEY);
            page.findElement(By.cssSelector("button[type=submit]")).click();

            view(page, "#/", "tr[data-model='" + scene.models().getFirst() + "']");
            shoot(page, dir, "dashboard-queues", 0);
            view(page, "#/batches", "tr[data-batch='" + scene.batch() + "']");
            shoot(page, dir, "dashboard-batches", 0);
            view(page, "#/batches/" + scene.batch(), "tr[data-job]");
            shoot(page, dir, "dashboard-batch", 0);
            view(page, "#/jobs/" + scene.job(), "pre");
            shoot(page, dir, "dashboard-job", 0);
            view(page, "#/failed", "tr[data-job]");
            shoot(page, dir, "dashboard-failed-jobs", 0);
            view(page, "#/rate-limits", "tbody tr");
            shoot(page, dir, "dashboard-rate-limits", 0);
            view(page, "#/usage", "#chart-models canvas");
            assertThat(page.findElements(By.cssSelector("#chart-tenants canvas")))
                    .hasSize(1);
            shoot(page, dir, "dashboard-usage", 0);
            view(page, "#/webhooks", "tr[data-delivery]");
            shoot(page, dir, "dashboard-webhooks", 0);
            view(page, "#/tenants", "tr[data-tenant]");
            shoot(page, dir, "dashboard-tenants", 0);

            page.manage().window().setSize(new Dimension(PHONE, 844));
            view(page, "#/", "tr[data-model='" + scene.models().getFirst() + "']");
            // At phone width the table reads as cards: no horizontal scrolling.
            assertThat((Long) page.executeScript("return document.documentElement.scrollWidth"))
                    .isLessThanOrEqualTo(PHONE);
            shoot(page, dir, "dashboard-queues-phone", 0);
        }
    }

    /** Models with queued work (one paused, one with its own limit), batches, failures, 429s, usage and webhooks. */
    private Scene seed() {
        String research = namedTenantKey("acme-research");
        String support = namedTenantKey("support-bot");
        List<String> models = List.of(
                uniqueModel("openai/gpt-4o-mini"),
                uniqueModel("anthropic/claude-3-5-haiku"),
                uniqueModel("meta/llama-3.1-8b"));
        String batch = createBatch(
                research,
                aChatBatch()
                        .requests(40, models.get(0))
                        .with("metadata", Map.of("project", "eval-2026-12", "owner", "ana"))
                        .json());
        for (int line = 1; line <= 14; line++) {
            finish(jdbc).succeeded(batch, line);
        }
        finish(jdbc).failed(batch, 15).failed(batch, 16).running(batch, 17);
        String second = createBatch(
                support,
                aChatBatch()
                        .requests(25, models.get(1))
                        .with("metadata", Map.of("project", "tickets"))
                        .json());
        for (int line = 1; line <= 20; line++) {
            finish(jdbc).succeeded(second, line);
        }
        finish(jdbc).failed(second, 21);
        createBatch(support, aChatBatch().requests(12, models.get(2)).json());
        // Usage over the last days: move some finished jobs back in time.
        jdbc.sql("""
                UPDATE jobs SET completed_at = now() - make_interval(days => line_no % 5)
                 WHERE batch_id IN (:ids) AND status IN ('succeeded', 'failed')""").param("ids", List.of(batch, second)).update();
        expect(200, post("/admin/pause", ADMIN_KEY, "{\"model\":\"" + models.get(2) + "\"}"));
        expect(
                200,
                put(
                        "/admin/limits",
                        ADMIN_KEY,
                        "{\"model\":\"" + models.get(1)
                                + "\",\"requests\":50,\"per_seconds\":60,\"max_concurrency\":10}"));
        String job = jdbc.sql("SELECT id FROM jobs WHERE batch_id = :id AND line_no = 3")
                .param("id", batch)
                .query(String.class)
                .single();
        for (int i = 0; i < 3; i++) {
            jdbc.sql("""
                    INSERT INTO rate_limit_events (model, credential, job_id, occurred_at, message, retry_after_ms,
                                                   learned_unit, learned_amount, learned_window_ms, paused_until)
                    VALUES (:model, 'key-3f9a', :job, now() - make_interval(mins => :ago),
                            'Rate limit of 15 per 60s exceeded for UserByModelByMinute', NULL, 'requests', 15, 60000,
                            now() - make_interval(mins => :ago) + interval '42 seconds')""")
                    .param("model", models.get(0))
                    .param("job", job)
                    .param("ago", 19 - 7 * i)
                    .update();
        }
        String tenant = jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", second)
                .query(String.class)
                .single();
        jdbc.sql("""
                INSERT INTO webhook_events (id, tenant_id, subject_id, type, url, payload, status, attempts,
                                            round_attempts, created_at)
                VALUES ('evt_dashboardshot', :tenant, :subject, 'batch.completed', 'https://hooks.example.com/sluice',
                        '{}', 'failed', 2, 2, now() - interval '1 hour')""").param("tenant", tenant).param("subject", second).update();
        jdbc.sql("""
                INSERT INTO webhook_deliveries (id, event_id, tenant_id, subject_id, attempt, url, status,
                                                response_status, error, duration_ms, attempted_at, next_attempt_at)
                VALUES ('whdel_shot1', 'evt_dashboardshot', :tenant, :subject, 1, 'https://hooks.example.com/sluice',
                        'failed', 503, 'HTTP 503 from the receiver', 120, now() - interval '50 minutes',
                        now() - interval '45 minutes'),
                       ('whdel_shot2', 'evt_dashboardshot', :tenant, :subject, 2, 'https://hooks.example.com/sluice',
                        'delivered', 200, NULL, 85, now() - interval '45 minutes', NULL)""").param("tenant", tenant).param("subject", second).update();
        return new Scene(models, batch, job);
    }

    private record Scene(List<String> models, String batch, String job) {}

    private void view(ChromeDriver page, String hash, String ready) {
        page.get(url("/dashboard/" + hash));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !page.findElements(By.cssSelector(ready)).isEmpty());
        assertThat(page.findElement(By.tagName("h1")).getText())
                .as("view %s", hash)
                .isNotEqualTo("Something went wrong");
    }

    /** A screenshot of the whole page (the window grows to the page's height for it, up to 2,400 px). */
    private static void shoot(ChromeDriver page, Path dir, String name, int height) {
        Dimension size = page.manage().window().getSize();
        long full = (Long) page.executeScript("return document.documentElement.scrollHeight");
        page.manage()
                .window()
                .setSize(new Dimension(size.width, height > 0 ? height : (int) Math.min(2400, full + 20)));
        try {
            Files.createDirectories(dir);
            Files.copy(
                    page.getScreenshotAs(OutputType.FILE).toPath(),
                    dir.resolve(name + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            page.manage().window().setSize(size);
        }
    }

    private String namedTenantKey(String name) {
        return expect(201, post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"" + name + "\"}"))
                .json()
                .get("key")
                .asString();
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
