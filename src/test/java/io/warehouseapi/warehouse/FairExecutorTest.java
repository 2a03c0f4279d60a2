package io.warehouseapi.warehouse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The warehouse queue's order: tenants served in turn, one tenant first come first served, the queue bounded. */
class FairExecutorTest {

    @Test
    void a_tenants_burst_waits_behind_itself_and_another_tenant_is_served_in_turn() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (FairExecutor executor = new FairExecutor(1, 100, "test")) {
            executor.submit("acme", () -> {
                order.add("acme-1");
                started.countDown();
                await(release);
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> last = null;
            for (int i = 2; i <= 5; i++) {
                String name = "acme-" + i;
                last = executor.submit("acme", () -> order.add(name));
            }
            executor.submit("globex", () -> order.add("globex-1"));
            executor.submit("globex", () -> order.add("globex-2"));
            assertThat(executor.queued()).isEqualTo(6);
            release.countDown();
            last.get(10, TimeUnit.SECONDS);
            assertThat(order).containsExactly("acme-1", "acme-2", "globex-1", "acme-3", "globex-2", "acme-4",
                    "acme-5");
        }
    }

    @Test
    void without_tenants_it_is_first_come_first_served() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (FairExecutor executor = new FairExecutor(1, 100, "test")) {
            executor.submit("", () -> await(release));
            Future<?> last = null;
            for (int i = 0; i < 20; i++) {
                int n = i;
                last = executor.submit("", () -> order.add(n));
            }
            release.countDown();
            last.get(10, TimeUnit.SECONDS);
            assertThat(order).isSorted().hasSize(20);
        }
    }

    @Test
    void one_more_than_the_queue_holds_is_refused_and_a_cancelled_one_never_runs() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        try (FairExecutor executor = new FairExecutor(1, 2, "test")) {
            executor.submit("a", () -> {
                started.countDown();
                await(release);
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> cancelled = executor.submit("a", () -> ran.add("cancelled"));
            Future<?> kept = executor.submit("b", () -> ran.add("kept"));
            assertThatThrownBy(() -> executor.submit("c", () -> ran.add("refused")))
                    .isInstanceOf(RejectedExecutionException.class);
            assertThat(cancelled.cancel(false)).isTrue();
            release.countDown();
            kept.get(10, TimeUnit.SECONDS);
            assertThat(ran).containsExactly("kept");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
