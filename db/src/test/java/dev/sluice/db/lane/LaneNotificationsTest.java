package dev.sluice.db.lane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LaneNotificationsTest {

    @Test
    void aNotificationNamesTheLanesModelTenantAndStamp() {
        assertThat(LaneNotifications.Entered.parse("openai/gpt-4o-mini\nten_1\n1733540000123456"))
                .isEqualTo(new LaneNotifications.Entered("openai/gpt-4o-mini", "ten_1", 1733540000123456L));
    }

    @Test
    void theTenantAndStampAreReadFromTheEndSoAModelKeepsWhatItHolds() {
        LaneNotifications.Entered entered = LaneNotifications.Entered.parse("odd\nmodel\nten_1\n42");
        assertThat(entered.model()).isEqualTo("odd\nmodel");
        assertThat(entered.tenantId()).isEqualTo("ten_1");
        assertThat(entered.stamp()).isEqualTo(42);
        assertThat(entered.namesTenant()).isTrue();
    }

    @Test
    void aNotificationOfTheModelAloneNamesNoTenant() {
        LaneNotifications.Entered entered = LaneNotifications.Entered.parse("openai/gpt-4o-mini");
        assertThat(entered).isEqualTo(new LaneNotifications.Entered("openai/gpt-4o-mini", null, 0));
        assertThat(entered.namesTenant()).isFalse();
        assertThat(LaneNotifications.Entered.parse("a\nb\nnot-a-stamp").namesTenant())
                .isFalse();
    }
}
