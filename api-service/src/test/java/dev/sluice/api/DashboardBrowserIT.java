package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real Chromium against the real api-service, PostgreSQL and RabbitMQ: signing in and out,
 * the queues overview, Pause and Resume, batch search by metadata and retrying failed jobs by filter, each
 * checked through the admin API as well as on the page.
 */
class DashboardBrowserIT extends ApiTestBase {

    private static Browser browser;
    private ChromeDriver page;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start(1280, 900);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void signedOut() {
        page = browser.driver;
        page.get(url("/dashboard/"));
        page.manage().deleteAllCookies();
    }

    @Test
    void signsInWithTheAdminKeyOnlyAndOutOnDemand() {
        page.get(url("/dashboard/"));
        page.findElement(By.id("admin_key")).sendKeys("not-the-key");
        page.findElement(By.cssSelector("button[type=submit]")).click();
        awaitSignInFailed();
        assertThat(page.manage().getCookieNamed("sluice_session")).isNull();

        String tenantKey = newTenantKey();
        page.findElement(By.id("admin_key")).sendKeys(tenantKey);
        page.findElement(By.cssSelector("button[type=submit]")).click();
        // A tenant's key fails exactly as any wrong key does: nothing tells the two apart.
        awaitSignInFailed();

        signIn();
        Cookie session = page.manage().getCookieNamed("sluice_session");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        assertThat(session.getValue()).doesNotContain(ADMIN_KEY);
        assertThat(page.getCurrentUrl()).doesNotContain(ADMIN_KEY);
        // The page's script cannot read the session, only the CSRF token.
        assertThat((String) page.executeScript("return document.cookie"))
                .doesNotContain("sluice_session")
                .contains("sluice_csrf");

        page.findElement(By.cssSelector("form.sign-out button")).click();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !page.findElements(By.id("admin_key")).isEmpty());
        assertThat(page.manage().getCookieNamed("sluice_session")).isNull();
    }

    @Test
    void theOverviewShowsAModelWithQueuedWork() {
        String model = uniqueModel("dash-queued");
        createBatch(newTenantKey(), aChatBatch().requests(3, model).json());

        signIn();

        // The view refreshes itself, so a row read may go stale between lookups: read it whole, again if need be.
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            WebElement row = modelRow(model);
            assertThat(cell(row, "Waiting")).isEqualTo("3");
            // The one tenant waiting has the whole model.
            assertThat(cell(row, "Tenants waiting")).isEqualTo("tenant under test 3 (100 %)");
            assertThat(cell(row, "In flight")).isEqualTo("0");
            assertThat(cell(row, "State")).isEqualTo("active");
        });
    }

    @Test
    void pauseAndResumeFromThePageChangeTheQueues() {
        String model = signedInOverQueuedModel("dash-pause");

        click(By.cssSelector("button[aria-label='Pause " + model + "']"));
        page.switchTo().alert().accept();

        await().atMost(Duration.ofSeconds(15))
                .until(() -> queue(model).get("paused").asBoolean());
        assertThat(notice()).isEqualTo("Paused " + model + ".");
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .until(() -> "paused".equals(cell(modelRow(model), "State")));

        click(By.cssSelector("button[aria-label='Resume " + model + "']"));
        page.switchTo().alert().accept();

        await().atMost(Duration.ofSeconds(15))
                .until(() -> !queue(model).get("paused").asBoolean());
        assertThat(notice()).isEqualTo("Resumed " + model + ".");
    }

    @Test
    void aLimitSetIsEditedInPlaceAndEveryLimitIsShown() {
        String model = signedInOverQueuedModel("dash-limits");

        click(By.cssSelector("button[aria-label='Edit limit of " + model + "']"));
        click(By.id("f-limits"));
        page.findElement(By.id("f-limits")).sendKeys("20/60s, 500 tokens/6s");
        click(By.cssSelector("form[aria-label='Limit of " + model + "'] button[type=submit]"));
        page.switchTo().alert().accept();

        await().atMost(Duration.ofSeconds(15))
                .until(() -> queue(model).get("limits").size() == 2);
        assertThat(notice()).startsWith("Limits of " + model + " are now 20 / 60 s (configured");
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(cell(modelRow(model), "Limit"))
                        .contains("20 / 60 s (configured)", "500 tokens / 6 s (configured, 0 used)"));
    }

    @Test
    void declinedConfirmationChangesNothing() {
        String model = signedInOverQueuedModel("dash-decline");

        click(By.cssSelector("button[aria-label='Pause " + model + "']"));
        page.switchTo().alert().dismiss();

        assertThat(queue(model).get("paused").asBoolean()).isFalse();
    }

    @Test
    void findsABatchByItsMetadata() {
        String key = newTenantKey();
        String project = "dash-" + dev.sluice.common.Ids.random(4);
        String wanted = createBatch(
                key,
                aChatBatch()
                        .requests(1, uniqueModel("dash-meta"))
                        .with("metadata", Map.of("project", project))
                        .json());
        String other = createBatch(
                key,
                aChatBatch()
                        .requests(1, uniqueModel("dash-meta"))
                        .with("metadata", Map.of("project", project + "-other"))
                        .json());
        signIn();
        page.get(url("/dashboard/#/batches"));

        WebElement metadata = await().atMost(Duration.ofSeconds(15))
                .until(() -> page.findElements(By.id("f-metadata")), l -> !l.isEmpty())
                .getFirst();
        metadata.sendKeys("project=" + project);
        click(By.cssSelector("form.filters button[type=submit]"));

        await().atMost(Duration.ofSeconds(15)).until(() -> batchRows().equals(List.of(wanted)));
        assertThat(batchRows()).doesNotContain(other);
        assertThat(page.getCurrentUrl()).contains("metadata=project%3D" + project);

        // Progress is live: a job finishing shows without reloading the page.
        page.executeScript("window.sluiceTestMarker = 'same page'");
        finish(jdbc).succeeded(wanted, 1);
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .until(() -> page.findElement(By.cssSelector("tr[data-batch='" + wanted + "'] .progress-label"))
                        .getText()
                        .startsWith("1 of 1 done"));
        assertThat(page.executeScript("return window.sluiceTestMarker")).isEqualTo("same page");
    }

    @Test
    void retriesTheFailedJobsOfAFilter() {
        String batch = createBatch(
                newTenantKey(),
                aChatBatch().requests(3, uniqueModel("dash-retry")).json());
        finish(jdbc).failed(batch, 1).failed(batch, 2).succeeded(batch, 3);
        signIn();
        page.get(url("/dashboard/#/failed?batch_id=" + batch));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> page.findElements(By.cssSelector("tr[data-job]")).size() == 2);

        click(By.id("retry-matching"));
        page.switchTo().alert().accept();

        await().atMost(Duration.ofSeconds(15))
                .until(() -> notice().startsWith("Retried 2 failed job(s) as 1 new batch(es)"));
        JsonNode jobs = expect(200, get("/admin/jobs?batch_id=" + batch, ADMIN_KEY))
                .json()
                .get("data");
        String retriedAs = jdbc.sql("SELECT DISTINCT retried_as FROM jobs WHERE batch_id = :id AND status = 'failed'")
                .param("id", batch)
                .query(String.class)
                .single();
        assertThat(notice()).contains(retriedAs);
        JsonNode retry =
                expect(200, get("/admin/batches/" + retriedAs, ADMIN_KEY)).json();
        assertThat(retry.get("batch").get("request_counts").get("total").asInt())
                .isEqualTo(2);
        assertThat(jobs).hasSize(3);
    }

    /** A new model with one queued job, shown on the signed-in overview. */
    private String signedInOverQueuedModel(String base) {
        String model = uniqueModel(base);
        createBatch(newTenantKey(), aChatBatch().requests(1, model).json());
        signIn();
        await().atMost(Duration.ofSeconds(15)).until(() -> modelRow(model) != null);
        return model;
    }

    private void signIn() {
        page.get(url("/dashboard/"));
        page.findElement(By.id("admin_key")).sendKeys(ADMIN_KEY);
        page.findElement(By.cssSelector("button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !page.findElements(By.cssSelector("header nav")).isEmpty());
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private JsonNode queue(String model) {
        for (JsonNode row : expect(200, get("/admin/queues", ADMIN_KEY)).json().get("data")) {
            if (row.get("model").asString().equals(model)) {
                return row;
            }
        }
        throw new AssertionError("no queue row for " + model);
    }

    private WebElement modelRow(String model) {
        List<WebElement> rows = page.findElements(By.cssSelector("tr[data-model='" + model + "']"));
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private static String cell(WebElement row, String label) {
        return row.findElement(By.cssSelector("td[data-label='" + label + "']"))
                .getText()
                .strip();
    }

    private List<String> batchRows() {
        return page.findElements(By.cssSelector("tr[data-batch]")).stream()
                .map(r -> r.getAttribute("data-batch"))
                .toList();
    }

    private String notice() {
        return page.findElement(By.id("notice")).getText().strip();
    }

    /** Clicks once the element is there; the views render after their data arrives. */
    private void click(By by) {
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
            page.findElement(by).click();
            return true;
        });
    }

    /** The sign-in form's answer arrives after its request: wait for the message rather than read it at once. */
    private void awaitSignInFailed() {
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(
                                page.findElement(By.id("sign-in-message")).getText())
                        .isEqualTo("Sign-in failed."));
    }
}
