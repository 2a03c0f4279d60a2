import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A probe of a running API, with nothing but the JDK: runs a view over a WebSocket and times it, then times a number
 * of fetch_results. Exits non-zero if any reply is missing or an error.
 *
 * <pre>java scripts/WsProbe.java [ws-url] [view] [runs] [fetches]</pre>
 * defaults: ws://127.0.0.1:8080/ws trip_weather_vw 5 200. With the environment variable {@code WS_TOKEN} set, the
 * connection signs in with it ({@code Authorization: Bearer}).
 */
public class WsProbe {

    private static final Pattern TYPE = Pattern.compile("\"type\":\"([a-z_]+)\"");
    private static final Pattern QUERY_ID = Pattern.compile("\"query_id\":\"([^\"]+)\"");
    private static final Pattern TOTAL = Pattern.compile("\"total_rows\":(\\d+)");
    private static final Pattern ROWS = Pattern.compile("\"row_count\":(\\d+)");

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "ws://127.0.0.1:8080/ws";
        String view = args.length > 1 ? args[1] : "trip_weather_vw";
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int fetches = args.length > 3 ? Integer.parseInt(args[3]) : 200;

        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10));
        String token = System.getenv("WS_TOKEN");
        if (token != null && !token.isEmpty()) {
            builder.header("Authorization", "Bearer " + token);
        }
        WebSocket socket = builder.buildAsync(URI.create(url), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            inbox.add(partial.toString());
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).join();

        List<Double> firstPage = new ArrayList<>();
        String queryId = null;
        long total = 0;
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            socket.sendText("{\"action\":\"run_view\",\"view_name\":\"" + view + "\",\"request_id\":\"run-" + run
                            + "\"}", true).join();
            String reply;
            do {
                reply = take(inbox);
            } while (!"results".equals(type(reply)) && !"error".equals(type(reply)));
            if ("error".equals(type(reply))) {
                throw new IllegalStateException("run_view failed: " + reply);
            }
            firstPage.add((System.nanoTime() - start) / 1e6);
            queryId = group(QUERY_ID, reply);
            String rows = group(ROWS, reply);
            if (reply.contains("\"complete\":false")) {
                // the first page came before the whole result was stored: its count comes with "complete"
                String complete;
                do {
                    complete = take(inbox);
                } while (!"complete".equals(type(complete)) && !"error".equals(type(complete)));
                if ("error".equals(type(complete))) {
                    throw new IllegalStateException("run_view failed after its first page: " + complete);
                }
                reply = complete;
            }
            total = Long.parseLong(group(TOTAL, reply));
            System.out.printf("run_view %s: first page (%s rows of %d) in %.1f ms%n", view, rows, total,
                    firstPage.get(firstPage.size() - 1));
        }

        List<Double> pages = new ArrayList<>();
        for (int i = 0; i < fetches; i++) {
            long offset = total <= 100 ? 0 : (long) (Math.random() * (total - 100));
            long start = System.nanoTime();
            socket.sendText("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":\"" + offset
                            + "\"}", true).join();
            String reply = take(inbox);
            if (!"results".equals(type(reply))) {
                throw new IllegalStateException("fetch_results failed: " + reply);
            }
            pages.add((System.nanoTime() - start) / 1e6);
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();

        System.out.printf("time to first page: median %.1f ms over %d runs%n", median(firstPage), runs);
        if (fetches > 0) {
            Collections.sort(pages);
            System.out.printf("fetch_results (100 rows, random offsets): median %.2f ms, p99 %.2f ms over %d pages%n",
                    median(pages), pages.get((int) Math.min(pages.size() - 1, Math.ceil(pages.size() * 0.99) - 1)),
                    fetches);
        }
    }

    private static String take(BlockingQueue<String> inbox) throws InterruptedException {
        String message = inbox.poll(120, TimeUnit.SECONDS);
        if (message == null) {
            throw new IllegalStateException("no reply within 120 s");
        }
        return message;
    }

    private static String type(String json) {
        return group(TYPE, json);
    }

    private static String group(Pattern pattern, String json) {
        Matcher m = pattern.matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
