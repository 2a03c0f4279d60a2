package io.warehouseapi.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged API ({@code target/warehouse-api.jar}, as {@code java -jar} runs it) in a process of its own on
 * 127.0.0.1, with a flight recording of it, so that what the server uses (threads, heap, CPU) is measured apart from
 * the load client's own. Settings are passed as the environment variables the README lists.
 */
final class ServerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path recording;
    private final Path log;
    private final long startedNanos;
    private long readyNanos;

    private ServerProcess(Process process, int port, Path recording, Path log, long startedNanos) {
        this.process = process;
        this.port = port;
        this.recording = recording;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /**
     * Starts the jar with the given settings (environment variables) and maximum heap, recording it with the JDK's
     * Flight Recorder into {@code name}.jfr under {@code dir}, and waits until its readiness endpoint says UP.
     */
    static ServerProcess start(Path dir, String name, Map<String, String> settings, String maxHeap, Duration timeout)
            throws IOException, InterruptedException {
        return start(dir, name, settings, maxHeap, timeout, freePort(), true);
    }

    /**
     * Starts the jar on a given port, as one replica of several behind a load balancer that knows it by that port;
     * with {@code record} false, without a flight recording.
     */
    static ServerProcess start(Path dir, String name, Map<String, String> settings, String maxHeap, Duration timeout,
                               int port, boolean record) throws IOException, InterruptedException {
        Path jar = Path.of("target", "warehouse-api.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run through the Maven profile, which packages it first");
        }
        Files.createDirectories(dir);
        Path recording = dir.resolve(name + ".jfr");
        Path log = dir.resolve(name + ".log");
        Files.deleteIfExists(recording);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + maxHeap));
        if (record) {
            // Camel's routes run deep: the default 64 frames would cut off the API's own methods under them
            command.add("-XX:FlightRecorderOptions=stackdepth=256");
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + recording);
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("CAMEL_SERVER_PORT", Integer.toString(port));
        builder.environment().putAll(settings);
        long started = System.nanoTime();
        ServerProcess server = new ServerProcess(builder.start(), port, recording, log, started);
        try {
            server.awaitReady(timeout);
        } catch (RuntimeException | InterruptedException e) {
            server.process.destroyForcibly();
            throw e;
        }
        return server;
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The server exited with " + process.exitValue() + "; see " + log);
            }
            if (isReady()) {
                readyNanos = System.nanoTime();
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("The server was not ready within " + timeout + "; see " + log);
    }

    /** Whether the readiness endpoint answers UP (200) now. */
    boolean isReady() throws InterruptedException {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            return HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            // not listening (yet, or any more)
            return false;
        }
    }

    /**
     * The value of one sample of the server's Prometheus metrics ({@code /observe/metrics}): the line that starts with
     * {@code name} followed by {@code labels} (as written, for example {@code {cache="result_pages",result="hit"}});
     * 0 if there is none.
     */
    double metric(String name, String labels) throws IOException, InterruptedException {
        return metric(name, labels, null);
    }

    /**
     * As {@link #metric(String, String)}, with a credential the server accepts ({@code bearer}, or null for none):
     * with authentication on, metrics need one. Any answer but 200 is an error, never a 0.
     */
    double metric(String name, String labels, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics"))
                .timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<Stream<String>> response = HTTP.send(request.build(),
                HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IllegalStateException("/observe/metrics on port " + port + " answered "
                                            + response.statusCode());
        }
        String prefix = name + labels + " ";
        try (Stream<String> lines = response.body()) {
            return lines.filter(line -> line.startsWith(prefix))
                    .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()).strip()))
                    .findFirst().orElse(0);
        }
    }

    /** The server's process id, for what the operating system says of it. */
    long pid() {
        return process.pid();
    }

    URI webSocket() {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    int port() {
        return port;
    }

    Path log() {
        return log;
    }

    /** From the process's start to its first UP on the readiness endpoint. */
    Duration startToReady() {
        return Duration.ofNanos(readyNanos - startedNanos);
    }

    /** Stops the server as a service manager does (SIGTERM) and reads its flight recording. */
    JfrSummary stop() throws IOException, InterruptedException {
        close();
        if (!Files.isRegularFile(recording)) {
            throw new IllegalStateException("The server left no flight recording at " + recording + "; see " + log);
        }
        return JfrSummary.read(recording);
    }

    /** Kills the server at once (SIGKILL), as a crash or an out-of-memory kill would: nothing of it runs on. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
