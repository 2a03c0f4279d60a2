package io.warehouseapi.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * What the server's flight recording says: heap used at each garbage collection (so its peak: the heap only grows
 * between collections), live threads, GC pauses, CPU, and where the CPU samples fall; over the whole run or a
 * window of it.
 */
final class JfrSummary {

    private record Sample(Instant at, long value) {
    }

    private final List<Sample> heapUsed = new ArrayList<>();
    private final List<Sample> threadsPeak = new ArrayList<>();
    private final List<Sample> threadsActive = new ArrayList<>();
    private final List<Sample> gcPauseNanos = new ArrayList<>();
    private final List<Sample> cpuPermille = new ArrayList<>();
    private final List<RecordedStackTrace> samples = new ArrayList<>();
    private final List<Instant> sampleTimes = new ArrayList<>();

    static JfrSummary read(Path recording) throws IOException {
        JfrSummary summary = new JfrSummary();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            Instant at = event.getStartTime();
            switch (event.getEventType().getName()) {
                case "jdk.GCHeapSummary" -> summary.heapUsed.add(new Sample(at, event.getLong("heapUsed")));
                case "jdk.JavaThreadStatistics" -> {
                    summary.threadsPeak.add(new Sample(at, event.getLong("peakCount")));
                    summary.threadsActive.add(new Sample(at, event.getLong("activeCount")));
                }
                case "jdk.GarbageCollection" ->
                        summary.gcPauseNanos.add(new Sample(at, event.getDuration("sumOfPauses").toNanos()));
                case "jdk.CPULoad" -> summary.cpuPermille.add(new Sample(at,
                        Math.round((event.getFloat("jvmUser") + event.getFloat("jvmSystem")) * 1000)));
                case "jdk.ExecutionSample" -> {
                    if (event.getStackTrace() != null) {
                        summary.samples.add(event.getStackTrace());
                        summary.sampleTimes.add(at);
                    }
                }
                default -> {
                }
            }
        }
        return summary;
    }

    private static long max(List<Sample> samples, Instant from, Instant to) {
        return samples.stream().filter(s -> within(s.at, from, to)).mapToLong(Sample::value).max().orElse(-1);
    }

    private static boolean within(Instant at, Instant from, Instant to) {
        return !at.isBefore(from) && !at.isAfter(to);
    }

    /** The highest heap use seen at a collection in the window, in bytes; -1 if no collection fell in it. */
    long peakHeapBytes(Instant from, Instant to) {
        return max(heapUsed, from, to);
    }

    long peakHeapBytes() {
        return peakHeapBytes(Instant.MIN, Instant.MAX);
    }

    /** The JVM's own peak of live threads, as last reported. */
    long peakThreads() {
        return threadsPeak.stream().mapToLong(Sample::value).max().orElse(-1);
    }

    /** The most live threads sampled (once a second) in the window. */
    long maxActiveThreads(Instant from, Instant to) {
        return max(threadsActive, from, to);
    }

    int gcCount(Instant from, Instant to) {
        return (int) gcPauseNanos.stream().filter(s -> within(s.at, from, to)).count();
    }

    double gcPauseMillis(Instant from, Instant to) {
        return gcPauseNanos.stream().filter(s -> within(s.at, from, to)).mapToLong(Sample::value).sum() / 1e6;
    }

    /** The server's mean CPU use in the window, as a share of the whole machine (1.0 = every core busy). */
    double meanCpu(Instant from, Instant to) {
        return cpuPermille.stream().filter(s -> within(s.at, from, to)).mapToLong(Sample::value).average()
                       .orElse(-1) / 1000;
    }

    /**
     * Where the CPU samples in the window fall: the share of samples whose stack holds each of the busiest
     * methods, counted once per sample (so a caller is charged with its callees' time), the top {@code limit}.
     */
    Map<String, Double> hotMethods(Instant from, Instant to, int limit) {
        Map<String, Integer> counts = new HashMap<>();
        int total = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (!within(sampleTimes.get(i), from, to)) {
                continue;
            }
            total++;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (RecordedFrame frame : samples.get(i).getFrames()) {
                if (frame.isJavaFrame() && frame.getMethod() != null) {
                    String method = frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
                    if (seen.add(method)) {
                        counts.merge(method, 1, Integer::sum);
                    }
                }
            }
        }
        int samplesInWindow = total;
        return counts.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("java.lang.Thread.run")
                             && !e.getKey().startsWith("java.util.concurrent.ThreadPoolExecutor")
                             && !e.getKey().startsWith("io.netty.util.concurrent.FastThreadLocalRunnable")
                             && !e.getKey().startsWith("io.netty.util.internal.ThreadExecutorMap")
                             && !e.getKey().startsWith("io.netty.util.concurrent.SingleThreadEventExecutor"))
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(limit)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> (double) e.getValue() / samplesInWindow,
                        (a, b) -> a, LinkedHashMap::new));
    }

    /** The number of CPU samples in the window. */
    int cpuSamples(Instant from, Instant to) {
        return (int) sampleTimes.stream().filter(at -> within(at, from, to)).count();
    }
}
